import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './helpers/client.js';
import { createdPools } from './helpers/server-plugin.js';
import { startHttp, type RunningHttp } from './helpers/start.js';

let rr: RunningHttp;
const dir = mkdtempSync(join(tmpdir(), 'rr-http-edge-'));
beforeAll(async () => {
  rr = await startHttp({ worker: 'raw-special.php' });
});
afterAll(async () => {
  await rr?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('responses the SDK would not send', () => {
  it('cuts the response when an error frame arrives mid-stream', async () => {
    const err = await send(`${rr.url}/stream-error`).catch((e: unknown) => e);
    // The client saw the head and the first chunks, then the connection was cut before the final chunk.
    expect(err).toMatchObject({ code: expect.stringMatching(/ECONNRESET|ERR_STREAM_PREMATURE_CLOSE/) });
    expect(rr.logger.find('response aborted', 'error').at(-1)?.fields).toMatchObject({ uri: '/stream-error' });
    expect((await send(`${rr.url}/empty-context`)).status).toBe(200);
  });

  it('writes only the body of a frame with an empty context (status 200)', async () => {
    const res = await send(`${rr.url}/empty-context`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('just a body');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('answers internal_error_code for a context that is not JSON', async () => {
    const res = await send(`${rr.url}/bad-context`);
    expect(res.status).toBe(500);
    expect(res.text).toBe('');
    expect(rr.logger.find('request failed', 'error').at(-1)?.fields).toMatchObject({ code: 'RR_ERR_HTTP_BAD_RESPONSE' });
  });

  it('flushes the head of a stream whose first chunk is empty', async () => {
    const started = Date.now();
    const headAt = await new Promise<number>((resolve, reject) => {
      httpRequest(`${rr.url}/stream-empty-first`, { agent: false }, (res) => {
        resolve(Date.now() - started);
        res.resume();
      })
        .on('error', reject)
        .end();
    });
    expect(headAt).toBeLessThan(180);
  });

  it('sends other 1xx as raw interim responses', async () => {
    const res = await send(`${rr.url}/processing`);
    expect(res.informational.map((i) => i.status)).toEqual([102]);
    expect(res.status).toBe(200);
    expect(res.text).toBe('done');
  });

  it('re-sends the request when the worker asks to be replaced ({"stop":true})', async () => {
    const res = await send(`${rr.url}/stop-once`, { headers: { 'x-marker': join(dir, 'marker') } });
    expect(res.text).toBe('second worker');
  });

  it('drops response headers Node refuses (CR/LF) and keeps the rest', async () => {
    const res = await send(`${rr.url}/bad-header`);
    expect(res.status).toBe(200);
    expect(res.headers['x-good']).toBe('fine');
    expect(res.headers['x-bad']).toBeUndefined();
    expect(res.headers['injected']).toBeUndefined();
    expect(rr.logger.find('invalid response headers from the worker were dropped', 'warn').at(-1)?.fields).toEqual({ headers: ['X-Bad'] });
  });
});

describe('a client that leaves while queued', () => {
  let busy: RunningHttp;
  beforeAll(async () => {
    busy = await startHttp({ worker: 'http-worker.php', http: { pool: { num_workers: 1, allocate_timeout: '10s' } } });
  });
  afterAll(() => busy?.stop());

  it('cancels its request in the pool queue', async () => {
    const pool = createdPools.at(-1)!;
    const slow = send(`${busy.url}/slow?ms=600`);
    await new Promise((r) => setTimeout(r, 100));
    const req = httpRequest(`${busy.url}/hello`, { agent: false });
    req.on('error', () => undefined);
    req.end();
    await expect.poll(() => pool.stats().queued).toBe(1);
    req.destroy();
    await expect.poll(() => pool.stats().queued).toBe(0);
    expect((await slow).text).toBe('slow done');
    expect((await send(`${busy.url}/hello`)).text).toBe('hello');
  });
});
