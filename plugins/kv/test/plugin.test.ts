import type { RrError } from '@rr/kernel';
import { describe, expect, it } from 'vitest';
import { kvPlugin } from '../src/index.js';
import { driverPlugin, newWorld, startFailure, startKv } from './helpers.js';

describe('kv lifecycle', () => {
  it('opens every storage with its name, validated config and a kv logger carrying the storage', async () => {
    const kv = await startKv({ kv: { users: { driver: 'fake', config: { label: 'u' } }, sessions: { driver: 'other' } } });
    try {
      expect(kv.world.opened.map((o) => [o.storage, o.config.label])).toEqual([
        ['users', 'u'],
        ['sessions', ''],
      ]);
      kv.world.opened[0]?.logger.info('hello from the driver');
      expect(kv.t.logger.find('hello from the driver')).toEqual([{ level: 'info', channel: 'kv', message: 'hello from the driver', fields: { storage: 'users' } }]);
      expect(kv.t.logger.find('kv storage opened').map((l) => [l.level, l.channel, l.fields])).toEqual([
        ['debug', 'kv', { storage: 'users', driver: 'fake' }],
        ['debug', 'kv', { storage: 'sessions', driver: 'other' }],
      ]);
      expect(kv.t.kernel.report().find((r) => r.id === 'kv')?.state).toBe('serving');
    } finally {
      await kv.close();
    }
  });

  it('closes every storage on stop, with the stop signal', async () => {
    const kv = await startKv({ kv: { a: { driver: 'fake' }, b: { driver: 'fake' }, c: { driver: 'other' } } });
    await kv.close();
    expect(kv.world.closed.map((c) => c.storage).sort()).toEqual(['a', 'b', 'c']);
    expect(kv.world.closed.every((c) => c.signal instanceof AbortSignal)).toBe(true);
  });

  it('a storage that fails to open closes the ones already opened and fails init naming it', async () => {
    const world = newWorld();
    const err = await startFailure({
      plugins: [driverPlugin('fake', world), kvPlugin],
      config: { kv: { first: { driver: 'fake' }, second: { driver: 'fake' }, broken: { driver: 'fake', config: { fail_open: true } }, never: { driver: 'fake' } } },
    });
    expect(err.code).toBe('RR_ERR_KERNEL_INIT_FAILED');
    expect(err.cause).toMatchObject({
      code: 'RR_ERR_KV_OPEN_FAILED',
      message: 'cannot open kv storage "broken" (driver fake): connection refused',
      cause: expect.objectContaining({ message: 'connection refused' }),
    });
    expect(world.opened.map((o) => o.storage)).toEqual(['first', 'second']);
    expect(world.closed.map((c) => c.storage).sort()).toEqual(['first', 'second']);
  });

  it('a storage that fails to close still lets the others close, and stop reports it', async () => {
    const kv = await startKv({ kv: { ok: { driver: 'fake' }, stuck: { driver: 'fake', config: { fail_close: true } } } });
    const err = await kv.close().catch((e: unknown) => e as RrError);
    expect(kv.world.closed.map((c) => c.storage).sort()).toEqual(['ok', 'stuck']);
    expect(err?.code).toBe('RR_ERR_KERNEL_STOP_FAILED');
    expect(JSON.stringify(err)).toContain('RR_ERR_KV_CLOSE_FAILED');
  });
});
