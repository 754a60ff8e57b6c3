import { isRrError, type RrError } from '@rr/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { bytes, open, text, timed } from './helpers.js';
import { killAll, privateMemcached, until } from './servers.js';

afterAll(killAll);

describe('memcached going away and coming back', () => {
  it('fails fast with a coded error naming the server while it is down, and serves again once it is back', async () => {
    const server = await privateMemcached();
    await server.start();
    const { storage, logger } = await open({ addr: server.address }, { storage: 'cache' });
    try {
      await storage.set([{ key: 'k', value: bytes('before') }]);
      expect(text((await storage.mget(['k'])).get('k'))).toBe('before');

      await server.kill();
      for (const call of [
        () => storage.mget(['k']),
        () => storage.set([{ key: 'k', value: bytes('x') }]),
        () => storage.has(['k']),
        () => storage.mexpire([{ key: 'k', expiresAt: Date.now() + 60_000 }]),
        () => storage.delete(['k']),
        () => storage.clear(),
      ]) {
        const { ms, error } = await timed(call());
        expect(isRrError(error, 'RR_ERR_MEMCACHED_UNAVAILABLE')).toBe(true);
        expect((error as RrError).message).toContain(server.address);
        expect((error as RrError).message).toContain('"cache"');
        expect((error as RrError).details).toEqual({ address: server.address });
        expect(ms).toBeLessThan(400);
      }

      // A new server on the same port: the same storage object connects again on its next call.
      await server.start();
      await storage.set([{ key: 'k', value: bytes('after') }]);
      expect(text((await storage.mget(['k'])).get('k'))).toBe('after');

      // One warn for the outage and one info for the recovery, not a line per failed call.
      expect(logger.find('memcached is unavailable')).toEqual([
        expect.objectContaining({ level: 'warn', channel: 'kv', fields: expect.objectContaining({ address: server.address, storage: 'cache' }) }),
      ]);
      expect(logger.find('memcached connection restored')).toEqual([
        { level: 'info', channel: 'kv', message: 'memcached connection restored', fields: { address: server.address, storage: 'cache' } },
      ]);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });

  it('rejects a call under way at once when the server dies, instead of waiting for the timeout', async () => {
    const server = await privateMemcached();
    await server.start();
    const { storage } = await open({ addr: server.address, timeout: '10s' });
    try {
      await storage.set([{ key: 'k', value: bytes('v') }]);
      await server.pause();
      const pending = timed(storage.mget(['k']));
      await server.kill();
      const { ms, error } = await pending;
      expect(isRrError(error, 'RR_ERR_MEMCACHED_UNAVAILABLE')).toBe(true);
      expect(ms).toBeLessThan(2000);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });
});

describe('memcached that stops answering', () => {
  it('bounds every call by timeout and serves again once memcached answers', async () => {
    const server = await privateMemcached();
    await server.start();
    const { storage } = await open({ addr: server.address, timeout: '300ms' });
    try {
      await storage.set([{ key: 'k', value: bytes('v') }]);
      await server.pause();
      const { ms, error } = await timed(storage.mget(['k']));
      expect(isRrError(error, 'RR_ERR_MEMCACHED_UNAVAILABLE')).toBe(true);
      expect((error as RrError).message).toContain('no answer within 300 ms');
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

describe('memcached down when a storage opens', () => {
  it('opens anyway with a warn, rejects calls with the coded error, and works once memcached starts', async () => {
    const server = await privateMemcached();
    const started = performance.now();
    const { storage, logger } = await open({ addr: server.address });
    expect(performance.now() - started).toBeLessThan(1000);
    try {
      expect(logger.find('memcached is unavailable', 'warn')).toEqual([
        expect.objectContaining({ fields: expect.objectContaining({ address: server.address, error: expect.stringContaining('ECONNREFUSED') }) }),
      ]);
      const { ms, error } = await timed(storage.mget(['a']));
      expect(isRrError(error, 'RR_ERR_MEMCACHED_UNAVAILABLE')).toBe(true);
      expect((error as RrError).message).toContain('ECONNREFUSED');
      expect(ms).toBeLessThan(400);

      await server.start();
      await storage.set([{ key: 'a', value: bytes('1') }]);
      expect(await storage.has(['a'])).toEqual(['a']);
      expect(logger.find('memcached connection restored')).toHaveLength(1);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });
});
