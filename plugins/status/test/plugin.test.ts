import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import statusDefault, { SHUTTING_DOWN, statusPlugin } from '../src/index.js';
import { flipSource, get, sourcePlugin, startStatus } from './helpers.js';

const ok = (plugin_name: string) => ({ plugin_name, error_message: '', status_code: 200 });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});
async function started(...args: Parameters<typeof startStatus>) {
  const s = await startStatus(...args);
  stops.push(s.t.stop);
  return s;
}

describe('status plugin', () => {
  it('is the default and the named export, with id status', () => {
    expect(statusDefault).toBe(statusPlugin);
    expect(statusPlugin.id).toBe('status');
  });

  it("is disabled without a 'status' section, as in RoadRunner", async () => {
    const t = await startTestKernel({ plugins: [sourcePlugin('http', flipSource('http')), statusPlugin] });
    expect(t.kernel.report().find((p) => p.id === 'status')).toMatchObject({ state: 'disabled', reason: "no 'status' section" });
    await t.stop();
  });

  it.each([
    ['no address', {}, 'status.address', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['a malformed address', { address: 'localhost' }, 'status.address', 'RR_ERR_CONFIG_CUSTOM'],
  ])('rejects %s with the kernel code and path', async (_name, section, path, code) => {
    const err = (await startTestKernel({ plugins: [statusPlugin], config: { status: section } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details.issues).toEqual([expect.objectContaining({ path, code })]);
  });

  it('listens on port 0 and logs the bound address', async () => {
    const { t, address } = await started([flipSource('http')]);
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe('127.0.0.1:0');
    expect(t.logger.find('status listening')).toEqual([{ level: 'info', channel: 'status', message: 'status listening', fields: { address, plugins: ['http'] } }]);
  });

  it('fails serve when the address is taken', async () => {
    const { address } = await started([]);
    const err = (await startTestKernel({ plugins: [statusPlugin], config: { status: { address } } }).catch((e: unknown) => e)) as RrError;
    expect(JSON.stringify({ code: err.code, cause: (err.cause as RrError | undefined)?.code })).toContain('RR_ERR_STATUS_LISTEN_FAILED');
  });

  it('answers /health and /ready from every source without plugin=', async () => {
    const { url } = await started([flipSource('http'), flipSource('grpc')]);
    expect(await get(url('/health'))).toEqual({ status: 200, body: [ok('http'), ok('grpc')] });
    expect(await get(url('/ready'))).toEqual({ status: 200, body: [ok('http'), ok('grpc')] });
  });

  it('follows readiness: ready → not ready → ready', async () => {
    const http = flipSource('http');
    const { url } = await started([http]);
    expect((await get(url('/ready?plugin=http'))).status).toBe(200);
    http.readyNow = { code: 503, message: 'the http pool cannot take a request now' };
    expect(await get(url('/ready?plugin=http'))).toEqual({
      status: 503,
      body: [{ plugin_name: 'http', error_message: 'the http pool cannot take a request now', status_code: 503 }],
    });
    // Health is a separate question: still fine.
    expect(await get(url('/health?plugin=http'))).toEqual({ status: 200, body: [ok('http')] });
    http.readyNow = { code: 200, message: '' };
    expect(await get(url('/ready?plugin=http'))).toEqual({ status: 200, body: [ok('http')] });
  });

  it('filters by ?plugin=a&plugin=b and skips unknown names with a log line', async () => {
    const grpc = flipSource('grpc');
    grpc.healthy = { code: 500, message: 'down' };
    const { t, url } = await started([flipSource('http'), grpc, flipSource('jobs')]);
    expect(await get(url('/health?plugin=jobs&plugin=http'))).toEqual({ status: 200, body: [ok('jobs'), ok('http')] });
    expect(await get(url('/health?plugin=http&plugin=nope'))).toEqual({ status: 200, body: [ok('http')] });
    expect(t.logger.find('plugin has no status checker, skipped')).toEqual([expect.objectContaining({ level: 'info', channel: 'status', fields: { plugin: 'nope', check: 'health' } })]);
    expect(await get(url('/health?plugin=nope'))).toEqual({ status: 200, body: [] });
    expect(await get(url('/health'))).toEqual({ status: 503, body: [ok('http'), { plugin_name: 'grpc', error_message: 'down', status_code: 500 }, ok('jobs')] });
  });

  it('uses unavailable_status_code; codes below 500 leave the answer available', async () => {
    const http = flipSource('http');
    http.readyNow = { code: 429, message: 'busy' };
    const { url } = await started([http], { unavailable_status_code: '599' });
    expect((await get(url('/ready'))).status).toBe(200);
    http.readyNow = { code: 503, message: 'x' };
    expect((await get(url('/ready'))).status).toBe(599);
  });

  it('bounds each check by check_timeout and reports a failing source as 500', async () => {
    const http = flipSource('http');
    http.healthy = () => new Promise(() => undefined);
    const grpc = flipSource('grpc');
    grpc.healthy = () => Promise.reject(new Error('boom'));
    const { url } = await started([http, grpc], { check_timeout: '50ms' });
    expect(await get(url('/health'))).toEqual({
      status: 503,
      body: [
        { plugin_name: 'http', error_message: 'http did not answer its status check within 50 ms', status_code: 500 },
        { plugin_name: 'grpc', error_message: 'boom', status_code: 500 },
      ],
    });
  });

  it('answers 404 elsewhere', async () => {
    const { url } = await started([flipSource('http')]);
    expect((await get(url('/jobs'))).status).toBe(404);
  });

  it('on stop lets an in-flight check finish, then closes the listener', async () => {
    const http = flipSource('http');
    let release: (r: { code: number; message: string }) => void = () => undefined;
    http.healthy = () => new Promise((resolve) => (release = resolve));
    const { t, url } = await startStatus([http]);
    const inFlight = get(url('/health'));
    await new Promise((r) => setTimeout(r, 50));
    const stopping = t.stop();
    release({ code: 200, message: '' });
    expect(await inFlight).toEqual({ status: 200, body: [ok('http')] });
    await stopping;
    expect(t.kernel.report().find((p) => p.id === 'status')?.state).toBe('stopped');
    await expect(fetch(url('/ready'))).rejects.toThrow();
  });

  it('fails init when two sources share a name', async () => {
    const err = (await startTestKernel({ plugins: [sourcePlugin('a', flipSource('x')), sourcePlugin('b', flipSource('x')), statusPlugin], config: { status: { address: '127.0.0.1:0' } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code: 'RR_ERR_STATUS_DUPLICATE_SOURCE' });
  });

  it('SHUTTING_DOWN keeps RoadRunner\'s text', () => {
    expect(SHUTTING_DOWN).toBe('service is shutting down');
  });
});
