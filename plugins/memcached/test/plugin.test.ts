import { kvDriversRef, type KvDriver } from '@rr/contracts';
import { definePlugin, type Plugin, type RrError } from '@rr/kernel';
import { recordingLogger, startTestKernel } from '@rr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import memcachedDefault, { memcachedConfigSchema, memcachedPlugin } from '../src/index.js';
import { bytes, text } from './helpers.js';
import { killAll, privateMemcached } from './servers.js';

/** Collects kv drivers as the kv plugin does (plugins never import plugins, so not the kv plugin itself). */
function driversProbe(): { plugin: Plugin; drivers: () => readonly KvDriver[] } {
  let seen: readonly KvDriver[] = [];
  return {
    drivers: () => seen,
    plugin: definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { drivers: kvDriversRef },
      init: ({ collected }) => {
        seen = collected.drivers;
        return {};
      },
    }),
  };
}

afterAll(killAll);

describe('memcached plugin', () => {
  it('is the default and the named export, with id memcached', () => {
    expect(memcachedDefault).toBe(memcachedPlugin);
    expect(memcachedPlugin.id).toBe('memcached');
  });

  it('is enabled without a section and provides the memcached driver, connecting nothing at init', async () => {
    const probe = driversProbe();
    // Nothing listens on the default 127.0.0.1:11211 here: an init that connected would log or fail.
    const t = await startTestKernel({ plugins: [memcachedPlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'memcached')?.state).toBe('serving');
      expect(probe.drivers().map((d) => d.name)).toEqual(['memcached']);
      expect(probe.drivers()[0]?.configSchema).toBe(memcachedConfigSchema);
      expect(t.logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
    } finally {
      await t.stop();
    }
    expect(t.kernel.report().find((p) => p.id === 'memcached')?.state).toBe('stopped');
  });

  it('rejects an invalid root section with the kernel code and path', async () => {
    const err = (await startTestKernel({ plugins: [memcachedPlugin], config: { memcached: { addr: ['localhost'] } } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: 'memcached.addr.0' })]);
  });

  it('opens a working storage through the provided driver, with the config its schema validates', async () => {
    const server = await privateMemcached();
    await server.start();
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [memcachedPlugin, probe.plugin], config: { memcached: { addr: server.address } } });
    try {
      const driver = probe.drivers()[0] as KvDriver;
      const validated = await driver.configSchema['~standard'].validate({ addr: server.address, timeout: '1s' });
      expect(validated).toEqual({ value: { addr: [server.address], timeout: 1000 } });
      const logger = recordingLogger();
      const storage = await driver.open({ storage: 'cache', config: (validated as { value: unknown }).value, logger });
      await storage.set([{ key: 'k', value: bytes('v') }]);
      expect(text((await storage.mget(['k'])).get('k'))).toBe('v');
      await storage.close(AbortSignal.timeout(2000));
      expect(logger.find('memcached storage opened')).toEqual([expect.objectContaining({ level: 'debug', fields: { addr: [server.address], timeout_ms: 1000 } })]);
    } finally {
      await t.stop();
    }
  });
});
