import { manyRef, type StandardSchemaV1 } from '@rr/kernel';
import type { Logger } from './logger.js';

/**
 * One key/value pair as a driver stores it. `expiresAt` is an absolute deadline in milliseconds since
 * the epoch (PHP sends RFC 3339 timestamps with whole seconds, so in practice a multiple of 1000);
 * undefined means the item never expires.
 */
export interface KvItem {
  key: string;
  value: Uint8Array;
  expiresAt?: number | undefined;
}

/** A new deadline for an existing key (kv.MExpire). */
export interface KvExpiry {
  key: string;
  expiresAt: number;
}

/**
 * One opened storage (`kv.<name>`), the operations of RoadRunner's kv RPC service. Every method takes
 * a batch, as the wire does. Semantics every driver keeps (checked by `describeKvDriver` in
 * @rr/testkit):
 * - an item whose deadline has passed is absent for every read (`has`, `mget`, `ttl`), whether or not
 *   the backend has purged it yet;
 * - `set` with a deadline at or before now leaves the key absent; `mexpire` likewise removes it;
 * - `mexpire` of a key that does not exist is not an error and creates nothing;
 * - unknown keys are left out of `has`, `mget` and `ttl` results, never reported as errors;
 * - backend failures (connection lost, timeout) reject with an RrError whose code names the driver,
 *   never hang past the driver's own timeout.
 */
export interface KvStorage {
  /** The keys of `keys` that exist now, in request order, without duplicates. */
  has(keys: readonly string[]): Promise<string[]>;
  set(items: readonly KvItem[]): Promise<void>;
  /** The values of the keys that exist; absent keys are not in the map. */
  mget(keys: readonly string[]): Promise<Map<string, Uint8Array>>;
  mexpire(items: readonly KvExpiry[]): Promise<void>;
  /**
   * The deadline of each existing key (ms since the epoch, `null` for no expiry); absent keys are not in
   * the map. A backend that cannot report deadlines rejects with an RrError whose message contains
   * `<driver>_plugin_ttl` (the PHP client maps that to NotImplementedException).
   */
  ttl(keys: readonly string[]): Promise<Map<string, number | null>>;
  delete(keys: readonly string[]): Promise<void>;
  /** Removes every item of this storage (and only of this storage, where the backend allows). */
  clear(): Promise<void>;
  /** Releases connections and files; pending writes are flushed first. */
  close(signal: AbortSignal): Promise<void>;
}

/** What the kv plugin hands a driver when it opens the storage `kv.<storage>`. */
export interface KvOpenContext<C> {
  /** The storage's name under `kv:`. */
  storage: string;
  /** The validated driver config (`kv.<storage>.config`, or the driver's root section when absent). */
  config: C;
  /** The storage's logger (channel `kv`, field `storage`). */
  logger: Logger;
}

/**
 * A kv driver, provided by a driver plugin (memory, redis, memcached, boltdb …) and collected by the kv
 * plugin, which picks it by `kv.<storage>.driver`. `configSchema` validates the driver's options; the kv
 * plugin reports its issues for every storage at once, under `kv.<storage>.config.<path>`.
 */
export interface KvDriver<C = unknown> {
  /** The name users write in `driver:`. */
  name: string;
  configSchema: StandardSchemaV1<unknown, C>;
  open(ctx: KvOpenContext<C>): Promise<KvStorage>;
}

export const kvDriversRef = manyRef<KvDriver<any>>('kv.drivers'); // eslint-disable-line @typescript-eslint/no-explicit-any
