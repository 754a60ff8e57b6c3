import { afterEach, describe, expect, it } from 'vitest';
import { SHUTTING_DOWN, StatusChecker, StatusServer } from '../src/index.js';
import { flipSource, get } from './helpers.js';

describe('StatusServer shutdown', () => {
  let server: StatusServer | undefined;
  afterEach(async () => server?.close());

  it('answers /ready with unavailable_status_code and RoadRunner\'s text once shutdown began; /health keeps checking', async () => {
    server = new StatusServer(new StatusChecker([flipSource('http')], { unavailableStatusCode: 599 }));
    const address = await server.listen('127.0.0.1:0');
    expect((await get(`http://${address}/ready`)).status).toBe(200);
    server.beginShutdown();
    expect(await get(`http://${address}/ready`)).toEqual({ status: 599, body: SHUTTING_DOWN });
    expect(await get(`http://${address}/ready?plugin=http`)).toEqual({ status: 599, body: SHUTTING_DOWN });
    expect((await get(`http://${address}/health`)).status).toBe(200);
  });

  it('close is safe before listen and twice', async () => {
    const s = new StatusServer(new StatusChecker([]));
    await s.close();
    await s.close();
  });

  it('refuses a malformed address with a coded error', async () => {
    await expect(new StatusServer(new StatusChecker([])).listen('nope')).rejects.toMatchObject({ code: 'RR_ERR_STATUS_LISTEN_FAILED' });
  });
});
