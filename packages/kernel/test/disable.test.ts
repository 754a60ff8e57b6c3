import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, manyRef, ref, type Plugin } from '../src/index.js';
import { anySection, kernelWith, probe, rejectionOf, valueRef } from './helpers.js';

const poolFactoryRef = ref<string>('server.poolFactory');
const driversRef = manyRef<string>('kv.drivers');

function server(trace: string[] = []): Plugin {
  return definePlugin({
    id: 'server',
    kernel: '^1.0.0',
    config: { schema: anySection },
    provides: { pools: poolFactoryRef },
    init: () => {
      trace.push('init server');
      return { provides: { pools: 'pools' }, stop: () => void trace.push('stop server') };
    },
  });
}

function needsPools(id: string, withSection: boolean, trace: string[] = []): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    ...(withSection ? { config: { schema: anySection } } : {}),
    needs: { pools: poolFactoryRef },
    provides: { value: valueRef(id) },
    init: () => {
      trace.push(`init ${id}`);
      return { provides: { value: id } };
    },
  });
}

function driver(id: string, disableWith?: string): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    config: { schema: anySection },
    provides: { driver: driversRef },
    init: ({ disable }) => (disableWith === undefined ? { provides: { driver: id } } : disable(disableWith)),
  });
}

describe('disable', () => {
  it('disables a plugin whose section is absent, without calling init', async () => {
    const trace: string[] = [];
    const kernel = kernelWith([server(trace)]);
    await kernel.start();
    expect(trace).toEqual([]);
    expect(kernel.report()).toEqual([
      { id: 'server', state: 'disabled', reason: "no 'server' section", reasonChain: ["server: no 'server' section"] },
    ]);
    await kernel.stop();
    expect(trace).toEqual([]);
  });

  it("disables dependents when a provider's section is absent, recording the reason chain", async () => {
    const trace: string[] = [];
    const exporter = definePlugin({
      id: 'exporter',
      kernel: '^1.0.0',
      needs: { metrics: valueRef('pool_metrics') },
      init: () => {
        trace.push('init exporter');
        return {};
      },
    });
    const kernel = kernelWith([exporter, needsPools('pool_metrics', false, trace), server(trace), probe('logs', { trace })]);
    await kernel.start();
    expect(trace).toEqual(['init logs', 'serve logs']);
    expect(kernel.report()).toEqual([
      {
        id: 'exporter',
        state: 'disabled',
        reason: "needs pool_metrics.value; 'pool_metrics' is disabled: needs server.poolFactory; 'server' is disabled: no 'server' section",
        reasonChain: ['exporter needs pool_metrics.value', 'pool_metrics needs server.poolFactory', "server: no 'server' section"],
      },
      {
        id: 'pool_metrics',
        state: 'disabled',
        reason: "needs server.poolFactory; 'server' is disabled: no 'server' section",
        reasonChain: ['pool_metrics needs server.poolFactory', "server: no 'server' section"],
      },
      { id: 'server', state: 'disabled', reason: "no 'server' section", reasonChain: ["server: no 'server' section"] },
      { id: 'logs', state: 'serving' },
    ]);
    await kernel.stop();
  });

  it("fails with RR_ERR_KERNEL_NEED_DISABLED when the dependent's own section is present", async () => {
    const trace: string[] = [];
    const err = await rejectionOf(kernelWith([needsPools('http', true, trace), server(trace)], { http: {} }).start());
    expect(err).toMatchObject({
      code: 'RR_ERR_KERNEL_NEED_DISABLED',
      plugin: 'http',
      details: { ref: 'server.poolFactory', reasonChain: ["server: no 'server' section"] },
    });
    expect(err.message).toBe("http needs server.poolFactory; 'server' is disabled: no 'server' section");
    expect(trace).toEqual([]);
  });

  it('reports every fatal disabled need at once, and no noise for their dependents', async () => {
    const rpcLike = definePlugin({
      id: 'rpc',
      kernel: '^1.0.0',
      config: { schema: anySection },
      needs: { http: valueRef('http') },
      init: () => ({}),
    });
    const err = await rejectionOf(
      kernelWith([needsPools('http', true), needsPools('jobs', true), rpcLike, server()], { http: {}, jobs: {}, rpc: {} }).start(),
    );
    expect(err.code).toBe('RR_ERR_KERNEL_STARTUP');
    expect((err.details as { errors: { code: string; plugin: string }[] }).errors).toMatchObject([
      { code: 'RR_ERR_KERNEL_NEED_DISABLED', plugin: 'http' },
      { code: 'RR_ERR_KERNEL_NEED_DISABLED', plugin: 'jobs' },
    ]);
  });

  it('runs on defaults when the section is absent and whenAbsent is defaults', async () => {
    const seen: unknown[] = [];
    const logs = definePlugin({
      id: 'logs',
      kernel: '^1.0.0',
      config: { schema: z.strictObject({ level: z.string().default('info') }), whenAbsent: 'defaults' },
      init({ config }) {
        seen.push(config);
        return {};
      },
    });
    const kernel = kernelWith([logs]);
    await kernel.start();
    expect(seen).toEqual([{ level: 'info' }]);
    expect(kernel.report()).toEqual([{ id: 'logs', state: 'serving' }]);
    await kernel.stop();
  });

  it('disables a defaults-running dependent of a disabled provider rather than failing', async () => {
    const metrics = definePlugin({
      id: 'metrics',
      kernel: '^1.0.0',
      config: { schema: anySection, whenAbsent: 'defaults' },
      needs: { pools: poolFactoryRef },
      init: () => ({}),
    });
    const kernel = kernelWith([metrics, server()]);
    await kernel.start();
    expect(kernel.report()[0]).toEqual({
      id: 'metrics',
      state: 'disabled',
      reason: "needs server.poolFactory; 'server' is disabled: no 'server' section",
      reasonChain: ['metrics needs server.poolFactory', "server: no 'server' section"],
    });
    await kernel.stop();
  });

  it('drops disabled providers from collected arrays and leaves optional needs undefined', async () => {
    const seen: unknown[] = [];
    const kv = definePlugin({
      id: 'kv',
      kernel: '^1.0.0',
      optional: { pools: poolFactoryRef },
      collects: { drivers: driversRef },
      init({ optional, collected }) {
        seen.push(optional.pools, collected.drivers);
        return {};
      },
    });
    const kernel = kernelWith([kv, driver('memory'), driver('redis'), driver('boltdb', 'no buckets declared'), server()], {
      memory: {},
      boltdb: {},
    });
    await kernel.start();
    expect(seen).toEqual([undefined, ['memory']]);
    expect(kernel.report().map((row) => [row.id, row.state, row.reason])).toEqual([
      ['kv', 'serving', undefined],
      ['memory', 'serving', undefined],
      ['redis', 'disabled', "no 'redis' section"],
      ['boltdb', 'disabled', 'no buckets declared'],
      ['server', 'disabled', "no 'server' section"],
    ]);
    await kernel.stop();
  });

  it('cascades ctx.disable to dependents that are not initialised yet', async () => {
    const trace: string[] = [];
    const storage = definePlugin({
      id: 'storage',
      kernel: '^1.0.0',
      provides: { value: valueRef('storage') },
      init: ({ disable }) => {
        trace.push('init storage');
        return disable('no storages declared under "storage"');
      },
    });
    const user = definePlugin({
      id: 'user',
      kernel: '^1.0.0',
      needs: { storage: valueRef('storage') },
      init: () => {
        trace.push('init user');
        return { stop: () => void trace.push('stop user') };
      },
    });
    const kernel = kernelWith([user, storage]);
    await kernel.start();
    await kernel.stop();
    expect(trace).toEqual(['init storage']);
    expect(kernel.report()).toEqual([
      {
        id: 'user',
        state: 'disabled',
        reason: 'needs storage.value; \'storage\' is disabled: no storages declared under "storage"',
        reasonChain: ['user needs storage.value', 'storage: no storages declared under "storage"'],
      },
      { id: 'storage', state: 'disabled', reason: 'no storages declared under "storage"', reasonChain: ['storage: no storages declared under "storage"'] },
    ]);
  });

  it('fails a dependent with its own section when its provider disables itself at init, stopping what was initialised', async () => {
    const trace: string[] = [];
    const err = await rejectionOf(
      kernelWith([probe('logs', { trace }), needsPools('http', true, trace), driverlessServer(trace)], { http: {}, server: {} }).start(),
    );
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_NEED_DISABLED', plugin: 'http' });
    expect(err.message).toBe("http needs server.poolFactory; 'server' is disabled: no PHP command configured");
    expect(trace).toEqual(['init logs', 'init server', 'stop logs']);
  });

  it('disables a consumer of a needed many-ref only when every provider is disabled', async () => {
    const trace: string[] = [];
    const kv = (id: string): Plugin =>
      definePlugin({
        id,
        kernel: '^1.0.0',
        needs: { drivers: driversRef },
        init: ({ needs }) => {
          trace.push(`${id} got ${needs.drivers.join(',')}`);
          return {};
        },
      });
    const some = kernelWith([kv('kv'), driver('memory'), driver('redis')], { memory: {} });
    await some.start();
    await some.stop();
    expect(trace).toEqual(['kv got memory']);

    const none = kernelWith([kv('kv'), driver('memory'), driver('redis', 'no redis address')], { redis: {} });
    await none.start();
    await none.stop();
    expect(none.report()[0]).toEqual({
      id: 'kv',
      state: 'disabled',
      reason: "needs kv.drivers; every provider is disabled: 'memory' (no 'memory' section), 'redis' (no redis address)",
      reasonChain: ['kv needs kv.drivers', "memory: no 'memory' section", 'redis: no redis address'],
    });
  });

  it('finds a nested section through a dotted config key', async () => {
    const seen: unknown[] = [];
    const staticPlugin = definePlugin({
      id: 'static',
      kernel: '^1.0.0',
      config: { schema: z.object({ dir: z.string() }), key: 'http.static' },
      init: ({ config }) => {
        seen.push(config.dir);
        return {};
      },
    });
    const on = kernelWith([staticPlugin], { http: { static: { dir: 'public' } } });
    await on.start();
    await on.stop();
    expect(seen).toEqual(['public']);
    const off = kernelWith([staticPlugin], { http: { pool: {} } });
    await off.start();
    expect(off.report()).toEqual([
      { id: 'static', state: 'disabled', reason: "no 'http.static' section", reasonChain: ["static: no 'http.static' section"] },
    ]);
    await off.stop();
  });

  it('records a fallback reason when ctx.disable is given none', async () => {
    const quiet = definePlugin({ id: 'quiet', kernel: '^1.0.0', init: ({ disable }) => disable('') });
    const kernel = kernelWith([quiet]);
    await kernel.start();
    expect(kernel.report()).toEqual([{ id: 'quiet', state: 'disabled', reason: 'disabled by its init', reasonChain: ['quiet: disabled by its init'] }]);
    await kernel.stop();
  });
});

function driverlessServer(trace: string[]): Plugin {
  return definePlugin({
    id: 'server',
    kernel: '^1.0.0',
    config: { schema: anySection },
    needs: { logs: valueRef('logs') },
    provides: { pools: poolFactoryRef },
    init: ({ disable }) => {
      trace.push('init server');
      return disable('no PHP command configured');
    },
  });
}
