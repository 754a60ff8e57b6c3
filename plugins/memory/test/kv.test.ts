import { describeKvDriver, recordingLogger } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { memoryConfigSchema, memoryKvDriver, type MemoryKvStorage } from '../src/index.js';

const open = (config: unknown = {}) => memoryKvDriver.open({ storage: 'test', config: memoryConfigSchema.parse(config), logger: recordingLogger() });

describeKvDriver({ driver: 'memory', ttl: 'exact', open: () => open() });

describe('memory kv storage', () => {
  it('frees expired items on the sweep, without any read', async () => {
    const storage = (await open({ interval: '20ms' })) as MemoryKvStorage;
    const soon = Date.now() + 100;
    await storage.set([
      { key: 'short', value: new Uint8Array([1]), expiresAt: soon },
      { key: 'kept', value: new Uint8Array([2]) },
    ]);
    expect(storage.size).toBe(2);
    await expect.poll(() => storage.size, { timeout: 3000, interval: 20 }).toBe(1);
    expect(Date.now()).toBeGreaterThanOrEqual(soon);
    expect(await storage.has(['kept'])).toEqual(['kept']);
    await storage.close();
  });

  it('keeps its own copy of a value the caller later reuses', async () => {
    const storage = await open();
    const frame = new Uint8Array([1, 2, 3]);
    await storage.set([{ key: 'k', value: frame.subarray(0, 2) }]);
    frame.fill(9);
    expect([...((await storage.mget(['k'])).get('k') ?? [])]).toEqual([1, 2]);
    await storage.close(AbortSignal.timeout(1000));
  });

  it('rejects calls after close with RR_ERR_MEMORY_CLOSED', async () => {
    const storage = await open();
    await storage.close(AbortSignal.timeout(1000));
    await expect(storage.has(['k'])).rejects.toMatchObject({ code: 'RR_ERR_MEMORY_CLOSED' });
    await expect(storage.set([{ key: 'k', value: new Uint8Array() }])).rejects.toMatchObject({ code: 'RR_ERR_MEMORY_CLOSED' });
  });
});
