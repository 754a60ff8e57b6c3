import type { KvExpiry, KvItem, KvStorage } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import type { Cluster, Redis } from 'ioredis';
import type { RedisMode } from './client.js';
import type { Connection } from './connection.js';

type Arg = string | Buffer | number;
/** One Redis command: name and arguments. */
type Command = [string, ...Arg[]];

const SCAN_COUNT = 1000;

const toBuffer = (value: Uint8Array): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));

/** SCAN MATCH is a glob: a prefix such as `app[1]:` must match itself only. */
export const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** @internal White-box switches for tests against a real server. */
export interface RedisStorageInternals {
  /** Whether the server has PEXPIRETIME (Redis 7+); undefined = find out on the first ttl(). */
  pexpiretime?: boolean;
}

/**
 * One kv storage on Redis. Keys are `prefix + key`; values are stored byte for byte. A batch goes out in
 * one round trip: a MULTI (set) or a pipeline on a single node or sentinel master, per-key commands
 * auto-pipelined per node in a cluster (a batch's keys live in different slots, and a cluster refuses
 * multi-key commands across slots).
 */
export class RedisStorage implements KvStorage {
  private pexpiretime: boolean | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly mode: RedisMode,
    private readonly prefix: string,
    internals: RedisStorageInternals = {},
  ) {
    this.pexpiretime = internals.pexpiretime;
  }

  private get client(): Redis | Cluster {
    return this.conn.client;
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return [];
    const found = await this.send('EXISTS', unique.map((k) => ['EXISTS', this.key(k)]));
    return unique.filter((_, i) => found[i] === 1);
  }

  async set(items: readonly KvItem[]): Promise<void> {
    if (items.length === 0) return;
    const now = Date.now();
    const commands = items.map((item): Command => {
      const key = this.key(item.key);
      if (item.expiresAt === undefined) return ['SET', key, toBuffer(item.value)];
      // A deadline at or before now leaves the key absent, as every driver does.
      if (item.expiresAt <= now) return ['UNLINK', key];
      // Rounded up: never expire before the deadline.
      return ['SET', key, toBuffer(item.value), 'PXAT', Math.ceil(item.expiresAt)];
    });
    await this.send('SET', commands, { atomic: true });
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const unique = [...new Set(keys)];
    const out = new Map<string, Uint8Array>();
    if (unique.length === 0) return out;
    this.conn.check();
    let values: (Buffer | null)[];
    try {
      values =
        this.mode === 'cluster'
          ? // getBuffer, not callBuffer: ioredis' auto-pipelining drops the command name of callBuffer.
            await Promise.all(unique.map((k) => (this.client as Cluster).getBuffer(this.key(k))))
          : await (this.client as Redis).mgetBuffer(...unique.map((k) => this.key(k)));
    } catch (err) {
      throw this.conn.wrap(err, 'MGET');
    }
    unique.forEach((key, i) => {
      const value = values[i];
      if (Buffer.isBuffer(value)) out.set(key, value);
    });
    return out;
  }

  async mexpire(items: readonly KvExpiry[]): Promise<void> {
    if (items.length === 0) return;
    // PEXPIREAT leaves missing keys alone and deletes a key whose deadline is already past.
    await this.send('PEXPIREAT', items.map((item) => ['PEXPIREAT', this.key(item.key), Math.ceil(item.expiresAt)]));
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    const unique = [...new Set(keys)];
    const out = new Map<string, number | null>();
    if (unique.length === 0) return out;
    let deadlines: unknown[] | undefined;
    if (this.pexpiretime !== false) {
      try {
        deadlines = await this.send('PEXPIRETIME', unique.map((k) => ['PEXPIRETIME', this.key(k)]));
        this.pexpiretime = true;
      } catch (err) {
        if (this.pexpiretime === true || !isUnknownCommand(err)) throw err;
        this.pexpiretime = false;
      }
    }
    if (deadlines === undefined) {
      // Redis < 7: only the remaining time; PHP's deadlines are whole seconds, so round to the second.
      const remaining = await this.send('PTTL', unique.map((k) => ['PTTL', this.key(k)]));
      const now = Date.now();
      deadlines = remaining.map((ms) => (typeof ms === 'number' && ms >= 0 ? Math.round((now + ms) / 1000) * 1000 : ms));
    }
    unique.forEach((key, i) => {
      const deadline = deadlines[i];
      // -2: no such key; -1: no expiry.
      if (deadline === -1) out.set(key, null);
      else if (typeof deadline === 'number' && deadline >= 0) out.set(key, deadline);
    });
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    const unique = [...new Set(keys)];
    if (unique.length === 0) return;
    if (this.mode === 'cluster') await this.send('UNLINK', unique.map((k) => ['UNLINK', this.key(k)]));
    else await this.send('UNLINK', [['UNLINK', ...unique.map((k) => this.key(k))]]);
  }

  /**
   * Without a prefix: FLUSHDB (ASYNC: the keys are gone at once, the memory is freed in the background),
   * on every master of a cluster, as RoadRunner does. With a prefix: only `prefix*` keys, found by SCAN
   * and removed by UNLINK a page at a time, on every master of a cluster.
   */
  async clear(): Promise<void> {
    this.conn.check();
    const nodes = this.mode === 'cluster' ? (this.client as Cluster).nodes('master') : [this.client as Redis];
    try {
      if (this.prefix === '') {
        await Promise.all(nodes.map((node) => node.flushdb('ASYNC')));
        return;
      }
      const pattern = `${globEscape(this.prefix)}*`;
      await Promise.all(nodes.map((node) => this.clearNode(node, pattern)));
    } catch (err) {
      throw this.conn.wrap(err, this.prefix === '' ? 'FLUSHDB' : 'SCAN/UNLINK');
    }
  }

  private async clearNode(node: Redis, pattern: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next.toString();
      if (keys.length === 0) continue;
      if (this.mode !== 'cluster') {
        await node.unlink(...keys);
        continue;
      }
      // One node holds many slots, and a multi-key UNLINK across slots is refused even there.
      const results = (await keys.reduce((p, key) => p.unlink(key), node.pipeline()).exec()) ?? [];
      const failed = results.find(([err]) => err !== null);
      if (failed !== undefined) throw failed[0];
    } while (cursor !== '0');
  }

  async close(signal: AbortSignal): Promise<void> {
    await this.conn.close(signal);
  }

  /**
   * Sends a batch in one round trip and returns the replies in order.
   *
   * @throws RR_ERR_REDIS_UNAVAILABLE (also at once while disconnected), RR_ERR_REDIS_COMMAND_FAILED
   */
  private async send(label: string, commands: readonly Command[], options: { atomic?: boolean } = {}): Promise<unknown[]> {
    this.conn.check();
    try {
      if (this.mode === 'cluster') {
        const cluster = this.client as Cluster;
        return await Promise.all(commands.map(([name, ...args]) => cluster.call(name, ...args)));
      }
      const client = this.client as Redis;
      const batch = options.atomic && commands.length > 1 ? client.multi() : client.pipeline();
      for (const [name, ...args] of commands) batch.call(name, ...args);
      const results = (await batch.exec()) ?? [];
      return results.map(([err, reply]) => {
        if (err !== null) throw err;
        return reply;
      });
    } catch (err) {
      throw this.conn.wrap(err, label);
    }
  }
}

function isUnknownCommand(err: unknown): boolean {
  return isRrError(err, 'RR_ERR_REDIS_COMMAND_FAILED') && /unknown command/i.test((err.cause as Error | undefined)?.message ?? '');
}
