import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, open, text, uniquePrefix } from './helpers.js';
import { ask, killAll, privateServer, type PrivateServer } from './servers.js';

describe('redis through a sentinel (master_name)', () => {
  let master: PrivateServer;
  let sentinel: PrivateServer;

  beforeAll(async () => {
    master = await privateServer({ args: ['--requirepass', 'master-pw'] });
    await master.start();
    sentinel = await privateServer({
      sentinelConf: () =>
        [
          `sentinel monitor rrmaster 127.0.0.1 ${master.port} 1`,
          'sentinel auth-pass rrmaster master-pw',
          'sentinel down-after-milliseconds rrmaster 60000',
          'requirepass sentinel-pw',
          '',
        ].join('\n'),
    });
    await sentinel.start();
  });
  afterAll(killAll);

  it('asks the sentinel for the master and round-trips through it, with both passwords', async () => {
    const prefix = uniquePrefix();
    const { storage, logger } = await open({
      addrs: [`127.0.0.1:${sentinel.port}`],
      master_name: 'rrmaster',
      password: 'master-pw',
      sentinel_password: 'sentinel-pw',
      prefix,
    });
    try {
      expect(logger.find('redis is unavailable')).toEqual([]);
      const deadline = (Math.floor(Date.now() / 1000) + 60) * 1000;
      await storage.set([
        { key: 'a', value: bytes('via sentinel'), expiresAt: deadline },
        { key: 'b', value: bytes('forever') },
      ]);
      expect(text((await storage.mget(['a'])).get('a'))).toBe('via sentinel');
      expect(await storage.ttl(['a', 'b'])).toEqual(new Map([['a', deadline], ['b', null]]));
      expect(await ask(master.port, ['AUTH master-pw', `EXISTS ${prefix}b`])).toEqual(['OK', 1]);
      await storage.clear();
      expect(await storage.has(['a', 'b'])).toEqual([]);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });
});
