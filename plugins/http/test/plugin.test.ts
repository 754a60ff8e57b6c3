import {
  metricsCollectorsRef,
  resettablesRef,
  statusSourcesRef,
  workerSourcesRef,
  type MetricsCollector,
  type Resettable,
  type StatusSource,
  type WorkerSource,
} from '@rr/contracts';
import { definePlugin, isRrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { httpPlugin } from '../src/index.js';
import { send } from './helpers/client.js';
import { createdPools, php, testServerPlugin } from './helpers/server-plugin.js';

/** Collects what http provides to informer, resetter and status. */
function probe() {
  const seen: {
    workers?: readonly WorkerSource[];
    resettables?: readonly Resettable[];
    statuses?: readonly StatusSource[];
    metrics?: readonly MetricsCollector[];
  } = {};
  const plugin = definePlugin({
    id: 'probe',
    kernel: '^1.0.0',
    collects: { workers: workerSourcesRef, resettables: resettablesRef, statuses: statusSourcesRef, metrics: metricsCollectorsRef },
    init: ({ collected }) => {
      Object.assign(seen, collected);
      return {};
    },
  });
  return { plugin, seen };
}

const server = testServerPlugin(php('http-worker.php'));
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop().catch(() => undefined);
});

const boot = async (http: Record<string, unknown> | undefined, extra = probe()) => {
  const t = await startTestKernel({ plugins: [server, httpPlugin, extra.plugin], config: http === undefined ? {} : { http } });
  stops.push(() => t.stop());
  return { ...t, seen: extra.seen };
};

describe('http plugin lifecycle', () => {
  it('is disabled without an http section', async () => {
    const t = await boot(undefined);
    expect(t.kernel.report().find((r) => r.id === 'http')).toMatchObject({ state: 'disabled', reason: "no 'http' section" });
    expect(t.seen.workers).toEqual([]);
  });

  it('is disabled with a section but no address, ssl or fcgi', async () => {
    const t = await boot({ raw_body: true });
    expect(t.kernel.report().find((r) => r.id === 'http')).toMatchObject({ state: 'disabled', reason: 'no http.address' });
  });

  it('refuses an invalid section with every path', async () => {
    const err = await startTestKernel({
      plugins: [server, httpPlugin],
      config: { http: { address: 'nope', pool: { num_workers: -1 }, max_request_size: 'big', colour: 'red' } },
    }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    const issues = (err as { details: { issues: { path: string; code: string }[] } }).details.issues;
    expect(issues.map(({ path, code }) => ({ path, code }))).toEqual(
      expect.arrayContaining([
        { path: 'http.address', code: 'RR_ERR_CONFIG_CUSTOM' },
        { path: 'http.pool.num_workers', code: 'RR_ERR_CONFIG_TOO_SMALL' },
        { path: 'http.max_request_size', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
        { path: 'http.colour', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
      ]),
    );
  });

  it('fails init with RR_ERR_HTTP_NO_LISTENER when only unsupported listeners are configured', async () => {
    const err = await startTestKernel({
      plugins: [server, httpPlugin],
      config: { http: { ssl: { acme: { email: 'a@b.c', domains: ['b.c'] } } } },
    }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect((err as Error).cause).toMatchObject({ code: 'RR_ERR_HTTP_NO_LISTENER' });
  });

  it('fails serve with RR_ERR_HTTP_LISTEN_FAILED when the port is taken', async () => {
    const first = await boot({ address: '127.0.0.1:0', pool: { num_workers: 1 } });
    const address = String(first.logger.find('http server listening')[0]?.fields['address']);
    const err = await startTestKernel({ plugins: [server, httpPlugin], config: { http: { address, pool: { num_workers: 1 } } } }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_SERVE_FAILED')).toBe(true);
    expect((err as Error).cause).toMatchObject({ code: 'RR_ERR_HTTP_LISTEN_FAILED' });
  });

  it('inits the pool, serves on the real port, provides workers/reset/status, and stops everything', async () => {
    const before = createdPools.length;
    const t = await boot({ address: '127.0.0.1:0', middleware: ['gzip'], pool: { num_workers: 2 } });
    const address = String(t.logger.find('http server listening', 'info')[0]?.fields['address']);
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe('127.0.0.1:0');
    expect(t.logger.find("middleware 'gzip' is not available in this rr (its plugin is not compiled in)", 'warn')).toHaveLength(1);
    expect((await send(`http://${address}/hello`)).text).toBe('hello');

    const [workers] = t.seen.workers ?? [];
    expect(workers?.name).toBe('http');
    const pids = workers?.workers().map((w) => w.pid) ?? [];
    expect(pids).toHaveLength(2);
    expect(workers?.workers().every((w) => w.statusStr === 'ready')).toBe(true);
    await workers?.addWorker?.();
    expect(workers?.workers()).toHaveLength(3);
    expect(await workers?.removeWorker?.()).toBe(true);
    expect(workers?.workers()).toHaveLength(2);

    const [status] = t.seen.statuses ?? [];
    expect(status?.name).toBe('http');
    expect(await status?.health()).toEqual({ code: 200, message: '' });
    expect(await status?.ready()).toEqual({ code: 200, message: '' });

    const [resettable] = t.seen.resettables ?? [];
    expect(resettable?.name).toBe('http');
    await resettable?.reset();
    await expect.poll(() => workers?.workers().map((w) => w.pid).filter((p) => pids.includes(p))).toEqual([]);
    expect((await send(`http://${address}/hello`)).text).toBe('hello');

    await t.stop();
    expect(createdPools.length).toBe(before + 1);
    expect(workers?.workers()).toEqual([]);
    expect(await status?.ready()).toMatchObject({ code: 503 });
    expect(await status?.health()).toMatchObject({ code: 503 });
    await expect(send(`http://${address}/hello`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('counts requests by status with durations and the requests in flight (rr_http_request_*)', async () => {
    const t = await boot({ address: '127.0.0.1:0', pool: { num_workers: 1 } });
    const address = String(t.logger.find('http server listening')[0]?.fields['address']);
    const [collector] = t.seen.metrics ?? [];
    expect(collector?.name).toBe('http');
    const family = async (name: string) => (await collector!.collect()).find((f) => f.name === name);
    const slow = send(`http://${address}/slow?ms=300`);
    await expect.poll(async () => (await family('rr_http_requests_queue'))?.samples[0]).toMatchObject({ value: 1 });
    await slow;
    await send(`http://${address}/hello`);
    await send(`http://${address}/status/404`);
    await expect.poll(async () => (await family('rr_http_requests_queue'))?.samples[0]).toMatchObject({ value: 0 });
    expect((await family('rr_http_request_total'))?.samples).toEqual([
      { labels: { status: '200' }, value: 2 },
      { labels: { status: '404' }, value: 1 },
    ]);
    const histogram = await family('rr_http_request_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    const ok = histogram?.type === 'histogram' ? histogram.samples.find((s) => s.labels.status === '200') : undefined;
    expect(ok?.count).toBe(2);
    expect(ok?.sum).toBeGreaterThanOrEqual(0.3);
    // The 300 ms request lands above the 0.25 s bound, the fast one below it.
    expect(ok?.buckets.find((b) => b.le === 0.25)?.count).toBe(1);
    expect(ok?.buckets.find((b) => b.le === 0.5)?.count).toBe(2);
  });

  it('listens on every interface for ":port"', async () => {
    const t = await boot({ address: ':0', pool: { num_workers: 1 } });
    const address = String(t.logger.find('http server listening')[0]?.fields['address']);
    expect(address).toMatch(/^(\[::\]|0\.0\.0\.0):\d+$/);
    const port = address.split(':').pop();
    expect((await send(`http://127.0.0.1:${port}/hello`)).text).toBe('hello');
  });

  it('drains an in-flight request on stop', async () => {
    const t = await boot({ address: '127.0.0.1:0', pool: { num_workers: 1 } });
    const address = String(t.logger.find('http server listening')[0]?.fields['address']);
    const slow = send(`http://${address}/slow?ms=400`);
    await new Promise((r) => setTimeout(r, 100));
    await t.stop();
    expect((await slow).text).toBe('slow done');
  });

  it('cuts requests still running at the stop deadline', async () => {
    const t = await startTestKernel({
      plugins: [server, httpPlugin],
      config: { http: { address: '127.0.0.1:0', pool: { num_workers: 1, destroy_timeout: '100ms' } } },
      stopTimeoutMs: 300,
    });
    const address = String(t.logger.find('http server listening')[0]?.fields['address']);
    const slow = send(`http://${address}/slow?ms=3000`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await t.stop().catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(await slow).toMatchObject({ code: 'ECONNRESET' });
  });
});
