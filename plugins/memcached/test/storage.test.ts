import { rmSync } from 'node:fs';
import { isRrError, type RrError } from '@rr/errors';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MemcachedStorage } from '../src/index.js';
import { crc32, wireKey } from '../src/keys.js';
import { exptime } from '../src/storage.js';
import { bytes, open, text } from './helpers.js';
import { ask, killAll, privateMemcached, type PrivateMemcached } from './servers.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** The remaining TTL memcached reports for a raw key (`mg <key> t`): -1 for none, undefined when absent. */
async function rawTtl(server: PrivateMemcached, key: string): Promise<number | undefined> {
  const reply = await ask({ port: server.port }, `mg ${key} t\r\n`);
  const m = /^HD t(-?\d+)\r\n$/.exec(reply ?? '');
  return m === null ? undefined : Number(m[1]);
}
async function rejection(promise: Promise<unknown>): Promise<RrError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as RrError,
  );
}

describe('keys and routing', () => {
  it('sends text-safe keys as they are and other keys base64-encoded', () => {
    expect(wireKey('user:42')).toMatchObject({ token: 'user:42', flag: '' });
    expect(wireKey('ünï')).toMatchObject({ token: Buffer.from('ünï').toString('latin1'), flag: '' });
    expect(wireKey('a b')).toMatchObject({ token: Buffer.from('a b').toString('base64'), flag: ' b' });
    expect(wireKey('tab\there')).toMatchObject({ flag: ' b' });
  });

  it('hashes keys with CRC-32 (IEEE), as gomemcache does', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  it('turns a deadline into absolute unix seconds, rounded up, and one past 2038 into no expiry', () => {
    expect(exptime(1_900_000_000_000)).toBe(1_900_000_000);
    expect(exptime(1_900_000_000_001)).toBe(1_900_000_001);
    expect(exptime(Date.UTC(2100, 0, 1))).toBe(0);
  });
});

describe('memcached storage', () => {
  let server: PrivateMemcached;
  let storage: MemcachedStorage;

  beforeAll(async () => {
    server = await privateMemcached();
    await server.start();
    ({ storage } = await open({ addr: server.address }, { storage: 'cache' }));
  });
  beforeEach(async () => {
    await storage.clear();
  });
  afterAll(async () => {
    await storage?.close(AbortSignal.timeout(2000));
    await killAll();
  });

  it('stores keys at the limits: 250 bytes plain, 186 bytes with spaces or control characters', async () => {
    const plain = 'k'.repeat(250);
    const spaced = `${'s'.repeat(184)} \n`;
    await storage.set([
      { key: plain, value: bytes('p') },
      { key: spaced, value: bytes('s') },
    ]);
    const got = await storage.mget([plain, spaced]);
    expect(text(got.get(plain))).toBe('p');
    expect(text(got.get(spaced))).toBe('s');
    expect(await storage.has([spaced, plain])).toEqual([spaced, plain]);
  });

  it.each([
    ['an empty key', ''],
    ['a key over 250 bytes', 'k'.repeat(251)],
    ['a multi-byte key over 250 bytes', 'ü'.repeat(126)],
    ['a key with a space over 186 bytes', `${'s'.repeat(186)} `],
  ])('rejects %s with a coded error naming it, before writing anything', async (_name, key) => {
    for (const call of [
      () => storage.set([{ key: 'fine', value: bytes('x') }, { key, value: bytes('x') }]),
      () => storage.mget([key]),
      () => storage.has(['fine', key]),
      () => storage.delete([key]),
      () => storage.mexpire([{ key, expiresAt: Date.now() + 60_000 }]),
    ]) {
      const err = await rejection(call());
      expect(isRrError(err, 'RR_ERR_MEMCACHED_BAD_KEY')).toBe(true);
      expect(err.message).toContain(JSON.stringify(key));
    }
    expect(await storage.has(['fine'])).toEqual([]);
  });

  it('addresses the same items as RoadRunner: text-safe keys are stored under their own bytes', async () => {
    await storage.set([
      { key: 'plain', value: bytes('one') },
      { key: 'ünï', value: bytes('two') },
      { key: 'with space', value: bytes('three') },
    ]);
    expect(await ask({ port: server.port }, 'get plain\r\n', 'END\r\n')).toBe('VALUE plain 0 3\r\none\r\nEND\r\n');
    expect(await ask({ port: server.port }, Buffer.from('get ünï\r\n').toString('latin1'), 'END\r\n')).toContain('\r\ntwo\r\n');
    // A key the text protocol cannot carry is still one item under its raw bytes.
    expect(await ask({ port: server.port }, `mg ${Buffer.from('with space').toString('base64')} b v\r\n`)).toBe('VA 5\r\nthree\r\n');
  });

  it('refuses a value over the item size limit with a coded error, and keeps the rest of the batch and the connection', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(7);
    await storage.set([{ key: 'huge', value: bytes('old') }]);
    const err = await rejection(storage.set([
      { key: 'before', value: bytes('b') },
      { key: 'huge', value: big },
      { key: 'after', value: bytes('a') },
    ]));
    expect(isRrError(err, 'RR_ERR_MEMCACHED_VALUE_TOO_LARGE')).toBe(true);
    expect(err.message).toContain('"huge"');
    expect(err.message).toContain(String(big.length));
    expect(err.details).toMatchObject({ key: 'huge', address: server.address });
    // memcached drops the old value rather than keep a stale one.
    expect(await storage.has(['before', 'huge', 'after'])).toEqual(['before', 'after']);
  });

  it('stores deadlines as absolute unix seconds, and one past 2038 without expiry', async () => {
    const deadline = (nowSeconds() + 3600) * 1000;
    await storage.set([
      { key: 'hour', value: bytes('x'), expiresAt: deadline },
      { key: 'far', value: bytes('y'), expiresAt: Date.UTC(2100, 0, 1) },
      { key: 'none', value: bytes('z') },
    ]);
    const hour = (await rawTtl(server, 'hour')) as number;
    expect(Math.abs(hour - (deadline / 1000 - nowSeconds()))).toBeLessThanOrEqual(2);
    expect(await rawTtl(server, 'far')).toBe(-1);
    expect(await rawTtl(server, 'none')).toBe(-1);
  });

  it('MExpire touches existing keys, including one set to no expiry by a far deadline', async () => {
    await storage.set([
      { key: 'a', value: bytes('x') },
      { key: 'b', value: bytes('y'), expiresAt: (nowSeconds() + 60) * 1000 },
    ]);
    const deadline = (nowSeconds() + 7200) * 1000;
    await storage.mexpire([
      { key: 'a', expiresAt: deadline },
      { key: 'b', expiresAt: Date.UTC(2100, 0, 1) },
      { key: 'ghost', expiresAt: deadline },
    ]);
    expect(Math.abs(((await rawTtl(server, 'a')) as number) - (deadline / 1000 - nowSeconds()))).toBeLessThanOrEqual(2);
    expect(await rawTtl(server, 'b')).toBe(-1);
    expect(await rawTtl(server, 'ghost')).toBeUndefined();
  });

  it('rejects TTL with RR_ERR_MEMCACHED_TTL_UNSUPPORTED (memcached_plugin_ttl)', async () => {
    const err = await rejection(storage.ttl(['a']));
    expect(isRrError(err, 'RR_ERR_MEMCACHED_TTL_UNSUPPORTED')).toBe(true);
    expect(err.message).toMatch(/^memcached_plugin_ttl: .*"cache"/);
  });

  it('empties the whole server on Clear, keys written by other clients too', async () => {
    expect(await ask({ port: server.port }, 'set foreign 0 0 1\r\nx\r\n')).toBe('STORED\r\n');
    await storage.clear();
    expect(await ask({ port: server.port }, 'get foreign\r\n', 'END\r\n')).toBe('END\r\n');
  });
});

describe('several servers', () => {
  afterAll(killAll);

  it('puts each key on the server crc32(key) % servers picks, reads across them, and clears them all', async () => {
    const servers = [await privateMemcached(), await privateMemcached()];
    await Promise.all(servers.map((s) => s.start()));
    const { storage } = await open({ addr: servers.map((s) => s.address).join(',') });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
      await storage.set(keys.map((key) => ({ key, value: bytes(key) })));
      const placed = await Promise.all(keys.map(async (key) => {
        const on = await Promise.all(servers.map(async (s) => (await ask({ port: s.port }, `mg ${key} v\r\n`))?.startsWith('VA ') === true));
        return on.indexOf(true);
      }));
      expect(placed).toEqual(keys.map((key) => crc32(Buffer.from(key)) % 2));
      expect(new Set(placed)).toEqual(new Set([0, 1]));
      expect((await storage.mget(keys)).size).toBe(40);
      expect(await storage.has(['key-3', 'nope', 'key-1'])).toEqual(['key-3', 'key-1']);
      await storage.clear();
      expect(await storage.has(keys)).toEqual([]);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });

  it('reaches a server on a unix socket', async () => {
    const path = `/tmp/rr-memcached-test-${process.pid}-${Date.now()}.sock`;
    const server = await privateMemcached({ socket: path });
    await server.start();
    const { storage } = await open({ addr: [path] });
    try {
      await storage.set([{ key: 'k', value: bytes('v') }]);
      expect(text((await storage.mget(['k'])).get('k'))).toBe('v');
    } finally {
      await storage.close(AbortSignal.timeout(2000));
      await server.kill();
      rmSync(path, { force: true });
    }
  });
});

describe('closing', () => {
  afterAll(killAll);

  it('lets calls under way finish, then rejects new ones with RR_ERR_MEMCACHED_CLOSED', async () => {
    const server = await privateMemcached();
    await server.start();
    const { storage } = await open({ addr: server.address }, { storage: 'sessions' });
    await storage.set([{ key: 'k', value: bytes('v') }]);
    const pending = storage.mget(['k']);
    await storage.close(AbortSignal.timeout(2000));
    expect(text((await pending).get('k'))).toBe('v');
    const err = await rejection(storage.has(['k']));
    expect(isRrError(err, 'RR_ERR_MEMCACHED_CLOSED')).toBe(true);
    expect(err.message).toContain('"sessions"');
  });
});
