import { jobsDriversRef, kvDriversRef, type JobsDriver, type KvDriver } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import redisDefault, { redisPlugin } from '../src/index.js';
import { bytes, text, uniquePrefix } from './helpers.js';
import { ask, killAll, privateServer, until } from './servers.js';

/** Collects kv and jobs drivers as the kv and jobs plugins do (plugins never import plugins). */
function driversProbe(): { plugin: Plugin; drivers: () => readonly KvDriver[]; jobsDrivers: () => readonly JobsDriver[] } {
  let seen: readonly KvDriver[] = [];
  let jobs: readonly JobsDriver[] = [];
  return {
    drivers: () => seen,
    jobsDrivers: () => jobs,
    plugin: definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { drivers: kvDriversRef, jobs: jobsDriversRef },
      init: ({ collected }) => {
        seen = collected.drivers;
        jobs = collected.jobs;
        return {};
      },
    }),
  };
}

/** Validates a raw section with the driver's schema, as the kv plugin does for `kv.<storage>.config` or the root section. */
async function validated(driver: KvDriver | JobsDriver, raw: unknown): Promise<unknown> {
  const result = await driver.configSchema['~standard'].validate(raw);
  if (result.issues !== undefined) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe('redis plugin', () => {
  afterAll(killAll);

  it('is the default and the named export, with id redis', () => {
    expect(redisDefault).toBe(redisPlugin);
    expect(redisPlugin.id).toBe('redis');
  });

  it('runs with defaults when the redis section is absent, provides the redis kv and jobs drivers and connects nothing at init', async () => {
    const server = await privateServer();
    await server.start();
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [redisPlugin, probe.plugin], config: { redis: { addrs: [`127.0.0.1:${server.port}`] } } });
    try {
      expect(t.kernel.report().find((p) => p.id === 'redis')?.state).toBe('serving');
      expect(probe.drivers().map((d) => d.name)).toEqual(['redis']);
      expect(probe.jobsDrivers().map((d) => [d.name, d.defaultPrefetch])).toEqual([['redis', 10]]);
      // Only the INFO probe itself is connected.
      const info = (await ask(server.port, ['INFO clients']))?.[0] as string;
      expect(info).toMatch(/connected_clients:1\r\n/);
    } finally {
      await t.stop();
    }
    const absent = await startTestKernel({ plugins: [redisPlugin, driversProbe().plugin] });
    expect(absent.kernel.report().find((p) => p.id === 'redis')?.state).toBe('serving');
    await absent.stop();
    expect(absent.kernel.report().find((p) => p.id === 'redis')?.state).toBe('stopped');
  });

  it("opens a storage from the root section (RoadRunner's global redis config), as the kv plugin does", async () => {
    const probe = driversProbe();
    const section = { addrs: ['127.0.0.1:6379'], prefix: uniquePrefix(), read_timeout: '2s', pool_size: 10 };
    const t = await startTestKernel({ plugins: [redisPlugin, probe.plugin], config: { redis: section } });
    try {
      const driver = probe.drivers()[0] as KvDriver;
      const storage = await driver.open({ storage: 'cache', config: await validated(driver, section), logger: t.logger.named('kv').with({ storage: 'cache' }) });
      try {
        await storage.set([{ key: 'hello', value: bytes('world') }]);
        expect(text((await storage.mget(['hello'])).get('hello'))).toBe('world');
        await storage.clear();
        expect(await storage.has(['hello'])).toEqual([]);
      } finally {
        await storage.close(AbortSignal.timeout(2000));
      }
      expect(t.logger.find('redis options ignored', 'debug')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ keys: ['pool_size'] }) })]);
    } finally {
      await t.stop();
    }
  });

  it('opens jobs pipelines with the root section (rr:jobs:<pipeline> by default), or with their own redis option', async () => {
    const server = await privateServer();
    await server.start();
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [redisPlugin, probe.plugin], config: { redis: { addrs: ['127.0.0.1:6379'] } } });
    const pipeline = `plugin-${uniquePrefix().slice(8, -1)}`;
    try {
      const driver = probe.jobsDrivers()[0] as JobsDriver;
      for (const [options, port] of [[{}, 6379], [{ redis: { addrs: [`127.0.0.1:${server.port}`] } }, server.port]] as const) {
        const delivered: string[] = [];
        const handle = await driver.open({
          pipeline,
          config: await validated(driver, { ...options, delete_stream_on_stop: 'true' }),
          priority: 10,
          prefetch: 10,
          logger: t.logger.named('jobs').with({ pipeline }),
          deliver: (job) => {
            delivered.push(job.id);
            return job.ack();
          },
        });
        expect(handle.queue).toBe(`rr:jobs:${pipeline}`);
        await handle.push([{ id: 'j1', job: 'J', payload: bytes('p'), headers: {}, priority: 10, delayMs: 0, autoAck: false }]);
        expect(await ask(port, [`XLEN rr:jobs:${pipeline}`])).toEqual([1]);
        await handle.resume();
        await until(() => delivered.length === 1, 5000, 'the job delivered');
        await handle.destroy(AbortSignal.timeout(2000));
        expect(await ask(port, [`EXISTS rr:jobs:${pipeline}`])).toEqual([0]);
      }
    } finally {
      await t.stop();
    }
  });

  it('rejects an invalid root section with the kernel code and path', async () => {
    const err = await startTestKernel({ plugins: [redisPlugin], config: { redis: { addrs: ['no-port'] } } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_CONFIG_INVALID', details: { issues: [expect.objectContaining({ path: 'redis.addrs.0' })] } });
  });
});
