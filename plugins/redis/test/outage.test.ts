import type { KvStorage } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import type { RecordingLogger } from '@rr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, open, text, timed } from './helpers.js';
import { freePort, killAll, privateServer, until, type PrivateServer } from './servers.js';

describe('redis going away and coming back', () => {
  let server: PrivateServer;
  let storage: KvStorage;
  let logger: RecordingLogger;
  let address: string;

  beforeAll(async () => {
    server = await privateServer();
    await server.start();
    address = `127.0.0.1:${server.port}`;
    ({ storage, logger } = await open({ addrs: [address] }, { storage: 'cache' }));
  });
  afterAll(async () => {
    await storage?.close(AbortSignal.timeout(2000));
    await killAll();
  });

  it('serves, fails fast with a coded error while Redis is down, and serves again once it is back', async () => {
    await storage.set([{ key: 'k', value: bytes('before') }]);
    expect(text((await storage.mget(['k'])).get('k'))).toBe('before');

    await server.kill();
    // Whatever the client has noticed yet, no call hangs: each rejects quickly with the coded error.
    for (const call of [() => storage.mget(['k']), () => storage.set([{ key: 'k', value: bytes('x') }]), () => storage.has(['k']), () => storage.ttl(['k']), () => storage.clear()]) {
      const { ms, error } = await timed(call());
      expect(isRrError(error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
      expect(ms).toBeLessThan(3500);
      expect((error as RrError).message).toContain(address);
      expect((error as RrError).message).toContain('"cache"');
      expect((error as RrError).hint).toMatch(/reconnecting in the background/);
    }
    // Once the loss is noticed, calls fail at once instead of waiting for a timeout.
    await until(() => logger.find('redis connection lost', 'warn').length > 0, 3000, 'the loss is logged');
    const { ms, error } = await timed(storage.has(['k']));
    expect(isRrError(error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
    expect(ms).toBeLessThan(200);

    await server.start();
    await until(async () => (await storage.has(['k']).catch(() => null)) !== null, 5000, 'the storage answers again');
    // The server came back empty (no persistence): the same storage object writes and reads again.
    await storage.set([{ key: 'k', value: bytes('after') }]);
    expect(text((await storage.mget(['k'])).get('k'))).toBe('after');

    // One warn for the loss and one info for the recovery, not a line per reconnection attempt.
    expect(logger.find('redis connection lost')).toEqual([
      expect.objectContaining({ level: 'warn', channel: 'kv', fields: expect.objectContaining({ address, storage: 'cache' }) }),
    ]);
    expect(logger.find('redis connection restored')).toEqual([{ level: 'info', channel: 'kv', message: 'redis connection restored', fields: { address, storage: 'cache' } }]);
  });
});

describe('redis that stops answering', () => {
  afterAll(killAll);

  it('bounds every call by read_timeout and serves again once Redis answers', async () => {
    const server = await privateServer();
    await server.start();
    const { storage } = await open({ addrs: [`127.0.0.1:${server.port}`], read_timeout: '300ms' });
    try {
      await storage.set([{ key: 'k', value: bytes('v') }]);
      server.pause();
      const { ms, error } = await timed(storage.mget(['k']));
      expect(isRrError(error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
      expect((error as RrError).message).toContain('timed out');
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1500);
      server.resume();
      await until(async () => (await storage.has(['k']).catch(() => null)) !== null, 3000, 'the storage answers again');
      expect(text((await storage.mget(['k'])).get('k'))).toBe('v');
    } finally {
      server.resume();
      await storage.close(AbortSignal.timeout(2000));
    }
  });
});

describe('redis down when a storage opens', () => {
  let server: PrivateServer;
  afterAll(killAll);

  it('opens anyway with a warn, rejects calls with the coded error, and works once Redis starts', async () => {
    server = await privateServer();
    const address = `127.0.0.1:${server.port}`;
    const started = performance.now();
    const { storage, logger } = await open({ addrs: [address] });
    expect(performance.now() - started).toBeLessThan(2000);
    try {
      expect(logger.find('redis is unavailable', 'warn')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ address, error: expect.stringContaining('ECONNREFUSED') }) })]);
      const { ms, error } = await timed(storage.mget(['a']));
      expect(isRrError(error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
      expect((error as RrError).message).toContain('ECONNREFUSED');
      expect(ms).toBeLessThan(200);

      await server.start();
      await until(async () => (await storage.has(['a']).catch(() => null)) !== null, 5000, 'the storage answers');
      await storage.set([{ key: 'a', value: bytes('1') }]);
      expect(await storage.has(['a'])).toEqual(['a']);
      expect(logger.find('redis connection restored')).toHaveLength(1);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });
});

describe('a cluster or sentinels that answer nothing when a storage opens', () => {
  it.each([
    ['cluster', (a: string, b: string) => ({ addrs: [a, b] }), /^redis at cluster 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+ is unavailable/],
    ['sentinel', (a: string) => ({ addrs: [a], master_name: 'rrmaster' }), /^redis at sentinel master rrmaster via 127\.0\.0\.1:\d+ is unavailable/],
  ])('%s: opens with a warn and fails calls at once with the coded error', async (_mode, config, expected) => {
    const [a, b] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
    const started = performance.now();
    const { storage, logger } = await open(config(a, b));
    try {
      expect(performance.now() - started).toBeLessThan(2000);
      expect(logger.find('redis is unavailable', 'warn')).toHaveLength(1);
      const { ms, error } = await timed(storage.set([{ key: 'k', value: bytes('v') }]));
      expect(isRrError(error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
      expect((error as RrError).message).toMatch(expected);
      expect(ms).toBeLessThan(200);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });
});
