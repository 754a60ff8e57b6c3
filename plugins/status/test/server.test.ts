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

describe('StatusServer /jobs', () => {
  let server: StatusServer | undefined;
  afterEach(async () => server?.close());

  const state = (pipeline: string, errorMessage = '') => ({
    pipeline,
    driver: 'memory',
    queue: pipeline,
    priority: 10,
    active: 3,
    delayed: 1,
    reserved: 2,
    ready: true,
    errorMessage,
  });

  it('reports every pipeline with RoadRunner\'s field names; unavailable when a driver failed or rr is stopping', async () => {
    let states = [state('emails'), state('reports')];
    const jobs = { ...flipSource('jobs'), pipelines: async () => states };
    server = new StatusServer(new StatusChecker([flipSource('http'), jobs], { unavailableStatusCode: 599 }));
    const address = await server.listen('127.0.0.1:0');
    expect(await get(`http://${address}/jobs`)).toEqual({
      status: 200,
      body: [
        { pipeline: 'emails', driver: 'memory', queue: 'emails', priority: 10, active: 3, delayed: 1, reserved: 2, ready: true, error_message: '' },
        { pipeline: 'reports', driver: 'memory', queue: 'reports', priority: 10, active: 3, delayed: 1, reserved: 2, ready: true, error_message: '' },
      ],
    });
    states = [state('emails', 'connection refused')];
    const failed = await get(`http://${address}/jobs`);
    expect(failed.status).toBe(599);
    expect(failed.body).toMatchObject([{ pipeline: 'emails', error_message: 'connection refused' }]);
    server.beginShutdown();
    expect(await get(`http://${address}/jobs`)).toEqual({ status: 599, body: SHUTTING_DOWN });
  });

  it('answers 404 without a jobs plugin, and the check timeout as unavailable', async () => {
    server = new StatusServer(new StatusChecker([flipSource('http')]));
    const address = await server.listen('127.0.0.1:0');
    expect((await get(`http://${address}/jobs`)).status).toBe(404);
    await server.close();
    const stuck = { ...flipSource('jobs'), pipelines: () => new Promise<never>(() => undefined) };
    server = new StatusServer(new StatusChecker([stuck], { checkTimeoutMs: 50 }));
    const second = await server.listen('127.0.0.1:0');
    const answer = await get(`http://${second}/jobs`);
    expect(answer.status).toBe(503);
    expect(String(answer.body)).toContain('jobs did not answer its status check');
  });
});
