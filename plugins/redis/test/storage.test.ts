import type { KvStorage } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import { recordingLogger } from '@rr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, open, text, uniquePrefix } from './helpers.js';
import { ask, killAll, privateServer, type PrivateServer } from './servers.js';

/** The keys of db `db` of a private server, sorted. */
async function keysOf(port: number, db = 0): Promise<string[]> {
  const replies = await ask(port, [`SELECT ${db}`, 'KEYS *']);
  return (replies?.[1] as string[]).sort();
}

describe('redis storage on a private server', () => {
  let server: PrivateServer;
  let address: string;
  const opened: KvStorage[] = [];
  const openHere = async (input: Parameters<typeof open>[0], options?: Parameters<typeof open>[1]) => {
    const result = await open({ addrs: [address], ...input }, options);
    opened.push(result.storage);
    return result;
  };

  beforeAll(async () => {
    server = await privateServer({ args: ['--databases', '4', '--user', 'reader', 'on', '>reader-pw', '~*', '&*', '+@all', '-set', '-unlink'] });
    await server.start();
    address = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    for (const s of opened) await s.close(AbortSignal.timeout(2000));
    await killAll();
  });

  it('keeps keys under the prefix and clear() removes only prefix* keys, page after page, glob characters included', async () => {
    const prefix = 'app[1]*?\\:';
    const { storage } = await openHere({ prefix });
    const { storage: neighbour } = await openHere({ prefix: 'app[1]x' });
    const { storage: bare } = await openHere({});
    const many = Array.from({ length: 2500 }, (_, i) => ({ key: `k${i}`, value: bytes(String(i)) }));
    await storage.set(many);
    await neighbour.set([{ key: 'n', value: bytes('neighbour') }]);
    await bare.set([{ key: 'plain', value: bytes('bare') }]);
    expect((await keysOf(server.port)).filter((k) => k.startsWith(prefix))).toHaveLength(2500);
    expect(await keysOf(server.port)).toEqual(expect.arrayContaining([`${prefix}k0`, 'app[1]xn', 'plain']));

    await storage.clear();
    expect(await keysOf(server.port)).toEqual(['app[1]xn', 'plain']);
  });

  it('clear() without a prefix runs FLUSHDB on its db only, as RoadRunner does', async () => {
    const { storage: db0 } = await openHere({ prefix: 'p:' });
    const { storage: db2 } = await openHere({ db: 2 });
    await db0.set([{ key: 'stays', value: bytes('0') }]);
    await db2.set([{ key: 'a', value: bytes('2') }]);
    expect(await keysOf(server.port, 2)).toEqual(['a']);
    await db2.clear();
    expect(await keysOf(server.port, 2)).toEqual([]);
    expect(await keysOf(server.port, 0)).toContain('p:stays');
  });

  it('stores with PXAT, so the server holds the exact deadline', async () => {
    const { storage } = await openHere({ prefix: 'exact:' });
    const deadline = (Math.floor(Date.now() / 1000) + 90) * 1000;
    await storage.set([{ key: 'd', value: bytes('x'), expiresAt: deadline }]);
    expect(await ask(server.port, ['PEXPIRETIME exact:d'])).toEqual([deadline]);
  });

  it('logs in with username and password; a refused password fails the open with a coded error', async () => {
    const { storage } = await openHere({ username: 'reader', password: 'reader-pw', prefix: 'acl:' });
    expect(await storage.has(['nothing'])).toEqual([]);
    const logger = recordingLogger();
    const err = (await open({ addrs: [address], username: 'reader', password: 'wrong' }, { logger }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_REDIS_AUTH_FAILED')).toBe(true);
    expect(err.message).toContain(address);
    expect(err.message).toMatch(/WRONGPASS/);
    // A config mistake, not an outage: no "connection lost" or "unavailable" warn.
    expect(logger.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('reports a command the server refuses as RR_ERR_REDIS_COMMAND_FAILED, naming the command', async () => {
    const { storage } = await openHere({ username: 'reader', password: 'reader-pw', prefix: 'acl:' });
    const err = (await storage.set([{ key: 'k', value: bytes('v') }]).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_REDIS_COMMAND_FAILED')).toBe(true);
    expect(err.message).toMatch(/rejected SET: NOPERM/);
  });

  it('fails the open with RR_ERR_REDIS_DB_REJECTED for a db the server does not have', async () => {
    const err = (await open({ addrs: [address], db: 9 }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_REDIS_DB_REJECTED')).toBe(true);
    expect(err.message).toContain('db 9');
  });

  it('rejects calls after close with RR_ERR_REDIS_CLOSED', async () => {
    const { storage } = await open({ addrs: [address], prefix: uniquePrefix() });
    await storage.set([{ key: 'k', value: bytes('v') }]);
    expect(text((await storage.mget(['k'])).get('k'))).toBe('v');
    await storage.close(AbortSignal.timeout(2000));
    await storage.close(AbortSignal.timeout(2000));
    await expect(storage.has(['k'])).rejects.toMatchObject({ code: 'RR_ERR_REDIS_CLOSED' });
  });
});

describe('redis tls options', () => {
  it('fails the open with RR_ERR_REDIS_TLS_FILE when a file cannot be read', async () => {
    const err = (await open({ addrs: ['127.0.0.1:1'], tls: { root_ca: '/nonexistent/ca.pem' } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_REDIS_TLS_FILE')).toBe(true);
    expect(err.message).toContain('tls.root_ca "/nonexistent/ca.pem"');
  });
});
