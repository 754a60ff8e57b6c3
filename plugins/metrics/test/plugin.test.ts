import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import metricsDefault, { metricsPlugin } from '../src/index.js';
import { caller, endpointsProbe, providerPlugin, scrape, state } from './helpers.js';

async function start(section: Record<string, unknown> = {}) {
  const probe = endpointsProbe();
  const t = await startTestKernel({
    plugins: [
      metricsPlugin,
      probe.plugin,
      providerPlugin('http', { workers: { name: 'http', workers: () => [state(7, 'ready', 4096), state(8, 'working', 1024)] } }),
      providerPlugin('kv', { collector: { name: 'kv', collect: () => [{ name: 'rr_kv_items', help: 'Items', type: 'gauge', samples: [{ labels: { storage: 'memory' }, value: 3 }] }] } }),
    ],
    config: { metrics: { address: '127.0.0.1:0', ...section } },
  });
  const address = t.logger.find('metrics listening')[0]?.fields?.address as string;
  return { t, address, call: caller(probe.endpoint()) };
}

describe('metrics plugin', () => {
  it('is the default and the named export, with id metrics', () => {
    expect(metricsDefault).toBe(metricsPlugin);
    expect(metricsPlugin.id).toBe('metrics');
  });

  it("is disabled without a 'metrics' section, as in RoadRunner", async () => {
    const t = await startTestKernel({ plugins: [metricsPlugin] });
    expect(t.kernel.report().find((p) => p.id === 'metrics')).toMatchObject({ state: 'disabled', reason: "no 'metrics' section" });
    await t.stop();
  });

  it('rejects an invalid section with the kernel code and path', async () => {
    const err = (await startTestKernel({ plugins: [metricsPlugin], config: { metrics: { collect: { hits: { type: 'meter' } } } } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: 'metrics.collect.hits.type' })]);
  });

  it('fails init for a collector prom-client refuses', async () => {
    const err = (await startTestKernel({ plugins: [metricsPlugin], config: { metrics: { address: '127.0.0.1:0', collect: { 'bad-name': { type: 'gauge' } } } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code: 'RR_ERR_METRICS_INVALID_COLLECTOR' });
  });

  it('serves on port 0, logs the bound address, and exposes config, RPC, pool and collected metrics', async () => {
    const { t, address, call } = await start({ collect: { app_hits: { type: 'counter', help: 'Hits', labels: ['route'] }, app_temp: { type: 'gauge' } } });
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(address).not.toBe('127.0.0.1:0');
    expect(t.logger.find('metrics listening')).toEqual([{ level: 'info', channel: 'metrics', message: 'metrics listening', fields: { address } }]);
    expect(await call('Add', { name: 'app_hits', value: 2, labels: ['/'] })).toBe(true);
    expect(await call('Set', { name: 'app_temp', value: 21.5 })).toBe(true);
    expect(await call('Declare', { name: 'runtime', collector: { type: 'histogram', buckets: [1] } })).toBe(true);
    expect(await call('Observe', { name: 'runtime', value: 0.5 })).toBe(true);
    const { status, values } = await scrape(address);
    expect(status).toBe(200);
    expect(values.get('app_hits{route="/"}')).toBe(2);
    expect(values.get('app_temp')).toBe(21.5);
    expect(values.get('runtime_bucket{le="1"}')).toBe(1);
    expect(values.get('rr_http_total_workers')).toBe(2);
    expect(values.get('rr_http_workers_memory_bytes')).toBe(5120);
    expect(values.get('rr_http_worker_state{pid="8",state="working"}')).toBe(0);
    expect(values.get('rr_http_workers_ready')).toBe(1);
    expect(values.get('rr_kv_items{storage="memory"}')).toBe(3);
    expect(values.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    await t.stop();
    expect(t.kernel.report().find((p) => p.id === 'metrics')?.state).toBe('stopped');
    await expect(fetch(`http://${address}/`)).rejects.toThrow();
  });
});
