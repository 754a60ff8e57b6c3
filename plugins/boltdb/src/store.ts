import type { KvExpiry, KvItem, KvStorage, Logger } from '@rr/contracts';
import { boltdbErrors } from './errors.js';
import { decodeBody, encodeRecord, itemSize, type LogRecord, type SetItem } from './format.js';
import { AppendLog, type LogState } from './log.js';

/** What `LogKvStorage.open` needs. */
export interface LogStoreOptions {
  /** The log file; relative paths resolve against the working directory. */
  file: string;
  /** Mode of a newly created file. */
  permissions: number;
  /** Period of the expiry sweep (which also considers compaction), ms. */
  intervalMs: number;
  logger: Logger;
  /**
   * The log is compacted when it is larger than this and than twice the live data.
   * @defaultValue 1 MiB
   */
  compactMinBytes?: number;
}

interface Entry {
  value: Buffer;
  expiresAt: number | undefined;
  /** Bytes this item takes in a compacted log. */
  size: number;
}

const COMPACT_RECORD_BYTES = 1 << 20;

/** The kv index: key → value and deadline, as the replay of the log gives it. */
class KvIndex implements LogState {
  readonly entries = new Map<string, Entry>();
  #liveBytes = 0;

  apply(body: Buffer, now: number): void {
    const record = decodeBody(body);
    switch (record.op) {
      case 'set':
        for (const { key, value, expiresAt } of record.items) {
          if (expiresAt !== undefined && expiresAt <= now) this.remove(key);
          // A copy of our own: `value` is a view into a batch or replay buffer that must not stay pinned.
          else this.#put(key, Buffer.from(value), expiresAt);
        }
        return;
      case 'delete':
        for (const key of record.keys) this.remove(key);
        return;
      case 'expire':
        for (const { key, expiresAt } of record.items) {
          const entry = this.live(key, now);
          if (entry === undefined) continue;
          if (expiresAt <= now) this.remove(key);
          else entry.expiresAt = expiresAt;
        }
        return;
      case 'clear':
        this.entries.clear();
        this.#liveBytes = 0;
        return;
    }
  }

  liveBytes(): number {
    return this.#liveBytes;
  }

  snapshot(): (now: number) => Iterable<Buffer> {
    // Copies of the entries, since MExpire changes deadlines in place.
    const items = [...this.entries].map(([key, e]): SetItem => ({ key, value: e.value, expiresAt: e.expiresAt }));
    return function* (now) {
      let chunk: SetItem[] = [];
      let chunkBytes = 0;
      for (const item of items) {
        if (item.expiresAt !== undefined && item.expiresAt <= now) continue;
        chunk.push(item);
        chunkBytes += itemSize(Buffer.byteLength(item.key), item.value.byteLength);
        if (chunkBytes >= COMPACT_RECORD_BYTES) {
          yield encodeRecord({ op: 'set', items: chunk });
          chunk = [];
          chunkBytes = 0;
        }
      }
      if (chunk.length > 0) yield encodeRecord({ op: 'set', items: chunk });
    };
  }

  #put(key: string, value: Buffer, expiresAt: number | undefined): void {
    this.remove(key);
    const size = itemSize(Buffer.byteLength(key), value.length);
    this.entries.set(key, { value, expiresAt, size });
    this.#liveBytes += size;
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.#liveBytes -= entry.size;
  }

  live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }
}

/**
 * A kv storage on rr's append-only log (format in format.ts and the README). Mutations resolve once their
 * record is written and fdatasync'd; records that arrive while an fsync runs share the next one (group
 * commit). Reads come from an in-memory index, which is always the replay of the log's durable part.
 */
export class LogKvStorage implements KvStorage {
  readonly #log: AppendLog;
  readonly #index: KvIndex;
  #closed = false;
  #closing: Promise<void> | undefined;
  #sweep: NodeJS.Timeout | undefined;

  private constructor(log: AppendLog, index: KvIndex) {
    this.#log = log;
    this.#index = index;
  }

  /**
   * Opens (creating it if needed) and replays the log, dropping a torn tail with a warn line.
   *
   * @throws RR_ERR_BOLTDB_DIR_MISSING, RR_ERR_BOLTDB_LOCKED, RR_ERR_BOLTDB_FOREIGN_FILE, RR_ERR_BOLTDB_WRONG_KIND,
   * RR_ERR_BOLTDB_UNSUPPORTED_VERSION, RR_ERR_BOLTDB_CORRUPT, RR_ERR_BOLTDB_OPEN_FAILED.
   */
  static async open(options: LogStoreOptions): Promise<LogKvStorage> {
    const index = new KvIndex();
    const log = await AppendLog.open({ ...options, kind: 'kv' }, index);
    const store = new LogKvStorage(log, index);
    store.#sweep = setInterval(() => store.sweep(), options.intervalMs);
    // A storage must never keep rr alive on its own: close() is what ends it.
    store.#sweep.unref();
    return store;
  }

  /** The absolute path of the log. */
  get file(): string {
    return this.#log.file;
  }

  /** Items held, expired or not: what the sweep frees. */
  get size(): number {
    return this.#index.entries.size;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    this.#readable();
    const now = Date.now();
    const found = new Set<string>();
    for (const key of keys) if (this.#index.live(key, now) !== undefined) found.add(key);
    return [...found];
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.#readable();
    const now = Date.now();
    const out = new Map<string, Uint8Array>();
    for (const key of keys) {
      const entry = this.#index.live(key, now);
      if (entry !== undefined) out.set(key, entry.value);
    }
    return out;
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    this.#readable();
    const now = Date.now();
    const out = new Map<string, number | null>();
    for (const key of keys) {
      const entry = this.#index.live(key, now);
      if (entry !== undefined) out.set(key, entry.expiresAt ?? null);
    }
    return out;
  }

  set(items: readonly KvItem[]): Promise<void> {
    if (items.length === 0) return this.#noop();
    return this.#append({ op: 'set', items: items.map(({ key, value, expiresAt }): SetItem => ({ key, value, expiresAt })) });
  }

  mexpire(items: readonly KvExpiry[]): Promise<void> {
    if (items.length === 0) return this.#noop();
    return this.#append({ op: 'expire', items });
  }

  delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return this.#noop();
    return this.#append({ op: 'delete', keys });
  }

  clear(): Promise<void> {
    return this.#append({ op: 'clear' });
  }

  /**
   * Frees expired items from memory now and considers compaction; returns how many were freed. Their
   * deadlines are in the log, so a replay drops them too: no record is written.
   */
  sweep(now = Date.now()): number {
    if (this.#closed) return 0;
    let freed = 0;
    for (const [key, entry] of this.#index.entries) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#index.remove(key);
        freed++;
      }
    }
    this.#log.maybeCompact();
    return freed;
  }

  /** Whether a compaction is running. */
  get compacting(): boolean {
    return this.#log.compacting;
  }

  /** Resolves when no compaction runs (for tests and close). */
  async compaction(): Promise<void> {
    await this.#log.compaction();
  }

  /** Flushes queued writes, waits for a running compaction, then closes the file and releases the lock. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      clearInterval(this.#sweep);
      await this.#log.close();
    })();
    return this.#closing;
  }

  #append(record: LogRecord): Promise<void> {
    if (this.#closed) return Promise.reject(boltdbErrors.CLOSED(this.file, { plugin: 'boltdb' }));
    let buf: Buffer;
    try {
      buf = encodeRecord(record);
    } catch (err) {
      if (err instanceof RangeError) return Promise.reject(boltdbErrors.TOO_LARGE(estimateBytes(record), { plugin: 'boltdb', cause: err }));
      return Promise.reject(err);
    }
    return this.#log.append(buf);
  }

  #noop(): Promise<void> {
    if (this.#closed) return Promise.reject(boltdbErrors.CLOSED(this.file, { plugin: 'boltdb' }));
    return Promise.resolve();
  }

  #readable(): void {
    if (this.#closed) throw boltdbErrors.CLOSED(this.file, { plugin: 'boltdb' });
  }
}

function estimateBytes(record: LogRecord): number {
  if (record.op === 'set') return record.items.reduce((sum, i) => sum + i.value.byteLength + Buffer.byteLength(i.key) + 16, 5);
  return 0;
}
