import type { KvStorage } from '@rr/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

export interface KvDriverSuiteOptions {
  /**
   * Opens a fresh, empty storage for one test. Storages opened by one suite must not see each other's
   * keys (a unique key prefix, database, file or server per call); the suite closes each after its test.
   */
  open: () => Promise<KvStorage>;
  /**
   * How the backend reports deadlines: `exact` returns the deadline that was set (to the second);
   * `unsupported` rejects `ttl()` with a message containing `<driver>_plugin_ttl`.
   */
  ttl: 'exact' | 'unsupported';
  /** The driver name, for `<driver>_plugin_ttl` and test titles. */
  driver: string;
  /** Called once after the suite (stop a private server, remove a directory). */
  teardown?: () => Promise<void>;
  /**
   * How long expiry may lag behind the deadline in this backend, in ms (memcached and Redis expire on
   * whole seconds). The suite waits for it with a polling probe, never with a fixed sleep.
   */
  expiryLagMs?: number;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);
/** A whole-second deadline `seconds` from now, as PHP's RFC 3339 timestamps give. */
const inSeconds = (seconds: number): number => (Math.floor(Date.now() / 1000) + seconds) * 1000;

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The kv driver contract (see `KvStorage` in @rr/contracts): every driver plugin runs this suite against
 * its real backend, so memory, boltdb, redis and memcached answer PHP's kv client the same way.
 */
export function describeKvDriver(options: KvDriverSuiteOptions): void {
  const lag = options.expiryLagMs ?? 1500;
  describe(`kv driver contract: ${options.driver}`, () => {
    let storage: KvStorage;
    const opened: KvStorage[] = [];
    const open = async (): Promise<KvStorage> => {
      const s = await options.open();
      opened.push(s);
      return s;
    };

    beforeAll(async () => {
      storage = await open();
    });
    afterEach(async () => {
      await storage.clear();
    });
    afterAll(async () => {
      for (const s of opened) await s.close(AbortSignal.timeout(5000));
      await options.teardown?.();
    });

    it('starts empty and answers absent keys with nothing', async () => {
      expect(await storage.has(['nope', 'nada'])).toEqual([]);
      expect((await storage.mget(['nope'])).size).toBe(0);
      if (options.ttl === 'exact') expect((await storage.ttl(['nope'])).size).toBe(0);
    });

    it('sets and reads back several items, binary values byte for byte', async () => {
      const binary = new Uint8Array(256).map((_, i) => i);
      await storage.set([
        { key: 'a', value: bytes('alpha') },
        { key: 'b', value: binary },
        { key: 'empty', value: new Uint8Array(0) },
        { key: 'ünï/cødé key', value: bytes('☃') },
      ]);
      const got = await storage.mget(['a', 'b', 'missing', 'empty', 'ünï/cødé key']);
      expect(text(got.get('a'))).toBe('alpha');
      expect(Buffer.from(got.get('b')!).equals(Buffer.from(binary))).toBe(true);
      expect(got.get('empty')?.length).toBe(0);
      expect(text(got.get('ünï/cødé key'))).toBe('☃');
      expect(got.has('missing')).toBe(false);
      expect(await storage.has(['missing', 'b', 'a'])).toEqual(['b', 'a']);
    });

    it('answers has() in request order without duplicates', async () => {
      await storage.set([{ key: 'x', value: bytes('1') }, { key: 'y', value: bytes('2') }]);
      expect(await storage.has(['y', 'x', 'y', 'z'])).toEqual(['y', 'x']);
    });

    it('overwrites a value and its deadline', async () => {
      await storage.set([{ key: 'k', value: bytes('one'), expiresAt: inSeconds(60) }]);
      await storage.set([{ key: 'k', value: bytes('two') }]);
      expect(text((await storage.mget(['k'])).get('k'))).toBe('two');
      if (options.ttl === 'exact') expect((await storage.ttl(['k'])).get('k')).toBeNull();
    });

    it('keeps a large value (1 MiB)', async () => {
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31) & 0xff);
      await storage.set([{ key: 'big', value: big }]);
      expect(Buffer.from((await storage.mget(['big'])).get('big')!).equals(Buffer.from(big))).toBe(true);
    });

    it('deletes some keys and leaves the others', async () => {
      await storage.set(['a', 'b', 'c'].map((key) => ({ key, value: bytes(key) })));
      await storage.delete(['a', 'c', 'never-set']);
      expect(await storage.has(['a', 'b', 'c'])).toEqual(['b']);
    });

    it('clears everything', async () => {
      await storage.set(['a', 'b'].map((key) => ({ key, value: bytes(key) })));
      await storage.clear();
      expect(await storage.has(['a', 'b'])).toEqual([]);
    });

    it('treats a deadline in the past as already expired', async () => {
      await storage.set([{ key: 'old', value: bytes('x'), expiresAt: Date.now() - 5000 }]);
      expect(await storage.has(['old'])).toEqual([]);
      expect((await storage.mget(['old'])).size).toBe(0);
    });

    it('expires an item at its deadline', async () => {
      const deadline = inSeconds(1);
      await storage.set([
        { key: 'short', value: bytes('x'), expiresAt: deadline },
        { key: 'long', value: bytes('y'), expiresAt: inSeconds(120) },
      ]);
      await until(async () => (await storage.has(['short'])).length === 0, deadline - Date.now() + lag + 1000);
      // Never visibly expired early: the wait above only ends after the deadline.
      expect(Date.now()).toBeGreaterThanOrEqual(deadline - 50);
      expect((await storage.mget(['short', 'long'])).has('short')).toBe(false);
      expect(await storage.has(['long'])).toEqual(['long']);
    });

    it('MExpire sets a deadline on existing keys and ignores missing ones', async () => {
      await storage.set([{ key: 'm', value: bytes('x') }]);
      const deadline = inSeconds(300);
      await storage.mexpire([
        { key: 'm', expiresAt: deadline },
        { key: 'ghost', expiresAt: deadline },
      ]);
      expect(await storage.has(['m', 'ghost'])).toEqual(['m']);
      if (options.ttl === 'exact') expect((await storage.ttl(['m'])).get('m')).toBe(deadline);
    });

    it('MExpire with a past deadline removes the key', async () => {
      await storage.set([{ key: 'gone', value: bytes('x') }]);
      await storage.mexpire([{ key: 'gone', expiresAt: Date.now() - 1000 }]);
      expect(await storage.has(['gone'])).toEqual([]);
    });

    if (options.ttl === 'exact') {
      it('TTL reports deadlines to the second, null for none, nothing for absent keys', async () => {
        const deadline = inSeconds(3600);
        await storage.set([
          { key: 't', value: bytes('x'), expiresAt: deadline },
          { key: 'forever', value: bytes('y') },
        ]);
        const ttl = await storage.ttl(['t', 'forever', 'absent']);
        expect(ttl.get('t')).toBe(deadline);
        expect(ttl.get('forever')).toBeNull();
        expect(ttl.has('absent')).toBe(false);
      });
    } else {
      it(`TTL rejects with ${options.driver}_plugin_ttl`, async () => {
        await storage.set([{ key: 't', value: bytes('x'), expiresAt: inSeconds(60) }]);
        await expect(storage.ttl(['t'])).rejects.toThrow(`${options.driver}_plugin_ttl`);
      });
    }

    it('keeps two storages apart', async () => {
      const other = await open();
      await storage.set([{ key: 'shared-name', value: bytes('mine') }]);
      await other.set([{ key: 'shared-name', value: bytes('theirs') }]);
      expect(text((await storage.mget(['shared-name'])).get('shared-name'))).toBe('mine');
      await other.clear();
      expect(await storage.has(['shared-name'])).toEqual(['shared-name']);
    });

    it('handles a batch of 1000 keys', async () => {
      const items = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: bytes(`v${i}`) }));
      await storage.set(items);
      const got = await storage.mget(items.map((i) => i.key));
      expect(got.size).toBe(1000);
      expect(text(got.get('k999'))).toBe('v999');
      await storage.delete(items.slice(0, 500).map((i) => i.key));
      expect((await storage.has(items.map((i) => i.key))).length).toBe(500);
    });
  });
}
