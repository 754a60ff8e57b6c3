import { kvDriversRef, type KvDriver } from '@rr/contracts';
import { definePlugin, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import memoryDefault, { memoryPlugin } from '../src/index.js';

/** Stands in for the kv plugin: collects the drivers as it would. */
function driversProbe() {
  let drivers: readonly KvDriver[] = [];
  const plugin = definePlugin({
    id: 'kv',
    kernel: '^1.0.0',
    collects: { drivers: kvDriversRef },
    init({ collected }) {
      drivers = collected.drivers;
      return {};
    },
  });
  return { plugin, drivers: () => drivers };
}

async function validated(driver: KvDriver, raw: unknown): Promise<unknown> {
  const result = await driver.configSchema['~standard'].validate(raw);
  if (result.issues !== undefined) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe('memory plugin', () => {
  it('is the default and the named export, with id memory', () => {
    expect(memoryDefault).toBe(memoryPlugin);
    expect(memoryPlugin.id).toBe('memory');
  });

  it("runs on defaults without a 'memory' section and provides the kv driver memory", async () => {
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [memoryPlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'memory')?.state).toBe('serving');
      const [driver] = probe.drivers();
      expect(driver?.name).toBe('memory');
      const config = await validated(driver as KvDriver, {});
      expect(config).toEqual({ interval: 60_000 });
      const storage = await (driver as KvDriver).open({ storage: 'cache', config, logger: t.logger });
      await storage.set([{ key: 'k', value: new TextEncoder().encode('v') }]);
      expect(await storage.has(['k'])).toEqual(['k']);
      const other = await (driver as KvDriver).open({ storage: 'other', config, logger: t.logger });
      expect(await other.has(['k'])).toEqual([]);
      await storage.close(AbortSignal.timeout(1000));
      await other.close(AbortSignal.timeout(1000));
    } finally {
      await t.stop();
    }
    expect(t.kernel.report().find((p) => p.id === 'memory')?.state).toBe('stopped');
  });

  it('reads interval from the section: Go syntax, bare seconds, 0 as the default', async () => {
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [memoryPlugin, probe.plugin], config: { memory: { interval: '1m30s' } } });
    const driver = probe.drivers()[0] as KvDriver;
    expect(await validated(driver, { interval: 5 })).toEqual({ interval: 5000 });
    expect(await validated(driver, { interval: 0 })).toEqual({ interval: 60_000 });
    await t.stop();
  });

  it('rejects an invalid section with the kernel code and path', async () => {
    const err = (await startTestKernel({ plugins: [memoryPlugin], config: { memory: { interval: 'soon', size: 1 } } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect((err.details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }))).toEqual([
      { path: 'memory.interval', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
      { path: 'memory.size', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
    ]);
  });
});
