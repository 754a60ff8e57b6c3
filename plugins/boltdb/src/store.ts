import { constants } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { KvExpiry, KvItem, KvStorage, Logger } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import { boltdbErrors } from './errors.js';
import { checkHeader, decodeBody, encodeHeader, encodeRecord, frameAt, HEADER_SIZE, itemSize, type LogRecord, type SetItem } from './format.js';
import { acquireLock, type FileLock } from './lock.js';

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

type Job =
  | { kind: 'record'; buf: Buffer; resolve: () => void; reject: (err: unknown) => void }
  | { kind: 'exclusive'; run: () => Promise<void> };

const READ_CHUNK = 1 << 20;
const COMPACT_RECORD_BYTES = 1 << 20;

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;
const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let pos = position;
  while (pending.length > 0) {
    let { bytesWritten } = await fh.writev(pending, pos);
    pos += bytesWritten;
    // A short write (disk full midway, or more buffers than IOV_MAX): go on from where it stopped.
    const rest: Buffer[] = [];
    for (const buf of pending) {
      if (bytesWritten >= buf.length) bytesWritten -= buf.length;
      else {
        rest.push(bytesWritten === 0 ? buf : buf.subarray(bytesWritten));
        bytesWritten = 0;
      }
    }
    if (rest.length === pending.length && rest[0] === pending[0]) throw new Error('the write made no progress');
    pending = rest;
  }
}

/**
 * A kv storage on rr's append-only log (format in format.ts and the README). Mutations resolve once their
 * record is written and fdatasync'd; records that arrive while an fsync runs share the next one (group
 * commit). Reads come from an in-memory index, which is always the replay of the log's durable part.
 */
export class LogKvStorage implements KvStorage {
  readonly #file: string;
  readonly #log: Logger;
  readonly #compactMin: number;
  readonly #index = new Map<string, Entry>();
  readonly #queue: Job[] = [];
  #fh: FileHandle;
  #lock: FileLock;
  /** End of the durable log: where the next batch is written. */
  #size: number;
  #liveBytes = 0;
  #draining = false;
  #failed: RrError | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #compacting: Promise<void> | undefined;
  #sweep: NodeJS.Timeout | undefined;

  private constructor(file: string, fh: FileHandle, lock: FileLock, options: LogStoreOptions) {
    this.#file = file;
    this.#fh = fh;
    this.#lock = lock;
    this.#size = HEADER_SIZE;
    this.#log = options.logger;
    this.#compactMin = options.compactMinBytes ?? 1 << 20;
  }

  /**
   * Opens (creating it if needed) and replays the log, dropping a torn tail with a warn line.
   *
   * @throws RR_ERR_BOLTDB_DIR_MISSING, RR_ERR_BOLTDB_LOCKED, RR_ERR_BOLTDB_FOREIGN_FILE,
   * RR_ERR_BOLTDB_UNSUPPORTED_VERSION, RR_ERR_BOLTDB_CORRUPT, RR_ERR_BOLTDB_OPEN_FAILED.
   */
  static async open(options: LogStoreOptions): Promise<LogKvStorage> {
    const file = resolve(options.file);
    const dir = dirname(file);
    const dirStat = await stat(dir).catch(() => undefined);
    if (dirStat === undefined || !dirStat.isDirectory()) throw boltdbErrors.DIR_MISSING(file, dir, { plugin: 'boltdb', details: { file, dir } });

    const lock = await acquireLock(file, options.logger).catch((err: unknown) => {
      throw isRrError(err) ? err : boltdbErrors.OPEN_FAILED(file, reason(err), { plugin: 'boltdb', cause: err, details: { file } });
    });
    let fh: FileHandle | undefined;
    try {
      // A .compact file is a compaction that a crash interrupted before its rename: the log is whole without it.
      await unlink(`${file}.compact`).catch(() => undefined);
      fh = await openOrCreate(file, options.permissions);
      const store = new LogKvStorage(file, fh, lock, options);
      await store.#replay();
      store.#sweep = setInterval(() => store.sweep(), options.intervalMs);
      // A storage must never keep rr alive on its own: close() is what ends it.
      store.#sweep.unref();
      // A log left mostly garbage (say, a clear before the restart) need not wait for the next write.
      store.#maybeCompact();
      return store;
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await lock.release().catch(() => undefined);
      if (isRrError(err)) throw err;
      throw boltdbErrors.OPEN_FAILED(file, reason(err), { plugin: 'boltdb', cause: err, details: { file } });
    }
  }

  /** The absolute path of the log. */
  get file(): string {
    return this.#file;
  }

  /** Items held, expired or not: what the sweep frees. */
  get size(): number {
    return this.#index.size;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    this.#readable();
    const now = Date.now();
    const found = new Set<string>();
    for (const key of keys) if (this.#live(key, now) !== undefined) found.add(key);
    return [...found];
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.#readable();
    const now = Date.now();
    const out = new Map<string, Uint8Array>();
    for (const key of keys) {
      const entry = this.#live(key, now);
      if (entry !== undefined) out.set(key, entry.value);
    }
    return out;
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    this.#readable();
    const now = Date.now();
    const out = new Map<string, number | null>();
    for (const key of keys) {
      const entry = this.#live(key, now);
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
    for (const [key, entry] of this.#index) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#remove(key);
        freed++;
      }
    }
    this.#maybeCompact();
    return freed;
  }

  /** Whether a compaction is running. */
  get compacting(): boolean {
    return this.#compacting !== undefined;
  }

  /** Resolves when no compaction runs (for tests and close). */
  async compaction(): Promise<void> {
    await this.#compacting;
  }

  /** Flushes queued writes, waits for a running compaction, then closes the file and releases the lock. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      clearInterval(this.#sweep);
      await this.#compacting;
      await this.#exclusive(async () => {
        await this.#fh.close();
        await this.#lock.release();
      });
    })();
    return this.#closing;
  }

  // ── writing ──────────────────────────────────────────────────────────────────────────────────────

  #append(record: LogRecord): Promise<void> {
    if (this.#closed) return Promise.reject(boltdbErrors.CLOSED(this.#file, { plugin: 'boltdb' }));
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    let buf: Buffer;
    try {
      buf = encodeRecord(record);
    } catch (err) {
      if (err instanceof RangeError) return Promise.reject(boltdbErrors.TOO_LARGE(estimateBytes(record), { plugin: 'boltdb', cause: err }));
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'record', buf, resolve, reject });
      this.#drain();
    });
  }

  #noop(): Promise<void> {
    if (this.#closed) return Promise.reject(boltdbErrors.CLOSED(this.#file, { plugin: 'boltdb' }));
    return Promise.resolve();
  }

  /** Runs `fn` between two batches, alone with the file, after every record queued before it. */
  #exclusive(fn: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'exclusive', run: () => fn().then(resolve, reject) });
      this.#drain();
    });
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    void (async () => {
      try {
        while (this.#queue.length > 0) {
          const head = this.#queue[0] as Job;
          if (head.kind === 'exclusive') {
            this.#queue.shift();
            await head.run();
            continue;
          }
          // Everything that queued up while the previous fsync ran goes out with one write and one fsync.
          let n = 1;
          while (n < this.#queue.length && this.#queue[n]?.kind === 'record') n++;
          await this.#commit(this.#queue.splice(0, n) as Extract<Job, { kind: 'record' }>[]);
        }
      } catch (err) {
        // Only a bug gets here (#commit and exclusive jobs settle their own promises); say so loudly.
        this.#log.error('kv file writer stopped; this is a bug', { file: this.#file, error: reason(err) });
      } finally {
        this.#draining = false;
      }
    })();
  }

  async #commit(batch: Extract<Job, { kind: 'record' }>[]): Promise<void> {
    if (this.#failed !== undefined) {
      for (const job of batch) job.reject(this.#failed);
      return;
    }
    const buffers = batch.map((job) => job.buf);
    try {
      await writeAll(this.#fh, buffers, this.#size);
      await this.#fh.datasync();
    } catch (err) {
      this.#fail(err);
      for (const job of batch) job.reject(this.#failed);
      return;
    }
    const now = Date.now();
    for (const buf of buffers) this.#size += buf.length;
    // Applied from the bytes that reached the disk, through replay's own decoder: the index is, by
    // construction, what a restart would rebuild.
    for (const job of batch) {
      this.#apply(decodeBody(job.buf.subarray(4, job.buf.length - 4)), now);
      job.resolve();
    }
    this.#maybeCompact();
  }

  #fail(err: unknown): void {
    // After a failed write or fsync the kernel may have dropped the dirty pages: what is on disk is
    // unknown, so no later write may be acknowledged on top of it (PostgreSQL's "fsyncgate" lesson).
    this.#failed ??= boltdbErrors.WRITE_FAILED(this.#file, reason(err), { plugin: 'boltdb', cause: err, details: { file: this.#file } });
    this.#log.error('kv file write failed; refusing further writes', { file: this.#file, error: reason(err) });
  }

  // ── the index ────────────────────────────────────────────────────────────────────────────────────

  #apply(record: LogRecord, now: number): void {
    switch (record.op) {
      case 'set':
        for (const { key, value, expiresAt } of record.items) {
          if (expiresAt !== undefined && expiresAt <= now) this.#remove(key);
          // A copy of our own: `value` is a view into a batch or replay buffer that must not stay pinned.
          else this.#put(key, Buffer.from(value), expiresAt);
        }
        return;
      case 'delete':
        for (const key of record.keys) this.#remove(key);
        return;
      case 'expire':
        for (const { key, expiresAt } of record.items) {
          const entry = this.#live(key, now);
          if (entry === undefined) continue;
          if (expiresAt <= now) this.#remove(key);
          else entry.expiresAt = expiresAt;
        }
        return;
      case 'clear':
        this.#index.clear();
        this.#liveBytes = 0;
        return;
    }
  }

  #put(key: string, value: Buffer, expiresAt: number | undefined): void {
    this.#remove(key);
    const size = itemSize(Buffer.byteLength(key), value.length);
    this.#index.set(key, { value, expiresAt, size });
    this.#liveBytes += size;
  }

  #remove(key: string): void {
    const entry = this.#index.get(key);
    if (entry === undefined) return;
    this.#index.delete(key);
    this.#liveBytes -= entry.size;
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#index.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
      this.#remove(key);
      return undefined;
    }
    return entry;
  }

  #readable(): void {
    if (this.#closed) throw boltdbErrors.CLOSED(this.#file, { plugin: 'boltdb' });
  }

  // ── replay ───────────────────────────────────────────────────────────────────────────────────────

  async #replay(): Promise<void> {
    const fh = this.#fh;
    const fileSize = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(HEADER_SIZE, fileSize));
    if (head.length > 0) await fh.read(head, 0, head.length, 0);
    const header = checkHeader(head);
    switch (header.kind) {
      case 'foreign':
        throw boltdbErrors.FOREIGN_FILE(this.#file, { plugin: 'boltdb', details: { file: this.#file, first_bytes: head.toString('hex') } });
      case 'version':
        throw boltdbErrors.UNSUPPORTED_VERSION(this.#file, header.version, { plugin: 'boltdb', details: { file: this.#file } });
      case 'empty':
      case 'torn':
        // Created, then a crash before the header was durable: nothing was ever acknowledged in it.
        if (header.kind === 'torn') this.#log.warn('dropping a torn kv file header', { file: this.#file, offset: 0, dropped_bytes: fileSize });
        await fh.truncate(0);
        await fh.write(encodeHeader(), 0, HEADER_SIZE, 0);
        await fh.datasync();
        this.#size = HEADER_SIZE;
        return;
      case 'ours':
        break;
    }

    const now = Date.now();
    let buf = Buffer.alloc(0);
    let bufStart = HEADER_SIZE; // file offset of buf[0]
    let pos = 0; // offset in buf of the next record
    let problem: string | undefined;
    for (;;) {
      const frame = frameAt(buf, pos);
      if (frame.kind === 'record') {
        let record: LogRecord;
        try {
          record = decodeBody(frame.body);
        } catch (err) {
          throw boltdbErrors.CORRUPT(this.#file, bufStart + pos, reason(err), { plugin: 'boltdb', details: { file: this.#file, offset: bufStart + pos } });
        }
        this.#apply(record, now);
        pos += frame.size;
        continue;
      }
      if (frame.kind === 'bad-crc') {
        problem = 'checksum mismatch';
        break;
      }
      const offset = bufStart + pos;
      if (offset + frame.need > fileSize) {
        if (offset < fileSize) problem = 'incomplete record';
        break;
      }
      // Keep the unread rest, and read at least one chunk or the whole record, whichever is larger.
      const rest = buf.subarray(pos);
      const want = Math.min(Math.max(frame.need, rest.length + READ_CHUNK), fileSize - offset);
      const next = Buffer.allocUnsafe(want);
      rest.copy(next, 0);
      const { bytesRead } = await fh.read(next, rest.length, want - rest.length, offset + rest.length);
      buf = next.subarray(0, rest.length + bytesRead);
      bufStart = offset;
      pos = 0;
      if (bytesRead === 0) break;
    }
    const end = bufStart + pos;
    this.#size = end;
    if (end < fileSize) {
      // A crash mid-write leaves a partial or garbled last batch; none of it was acknowledged.
      this.#log.warn('dropping a torn tail of the kv file', { file: this.#file, offset: end, dropped_bytes: fileSize - end, problem: problem ?? 'unreadable' });
      await fh.truncate(end);
      await fh.datasync();
    }
  }

  // ── compaction ───────────────────────────────────────────────────────────────────────────────────

  #maybeCompact(): void {
    if (this.#compacting !== undefined || this.#closed || this.#failed !== undefined) return;
    if (this.#size <= this.#compactMin || this.#size <= 2 * (HEADER_SIZE + this.#liveBytes)) return;
    this.#compacting = this.#compact()
      .catch((err: unknown) => this.#log.warn('kv file compaction failed; the log stays as it was', { file: this.#file, error: reason(err) }))
      .finally(() => {
        this.#compacting = undefined;
      });
  }

  /**
   * Writes the live items to `<file>.compact` while reads and writes go on, then, alone with the file,
   * appends the records logged since the snapshot, fsyncs, renames it over the log and fsyncs the folder.
   */
  async #compact(): Promise<void> {
    const tmpPath = `${this.#file}.compact`;
    const before = this.#size;
    // The index equals the replay of log[0, before) at this synchronous point; copy the entries, since
    // MExpire changes deadlines in place.
    const snapshot = [...this.#index].map(([key, e]): SetItem => ({ key, value: e.value, expiresAt: e.expiresAt }));
    const mode = (await this.#fh.stat()).mode & 0o7777;
    const tmp = await open(tmpPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, mode);
    let swapped = false;
    try {
      await tmp.chmod(mode);
      await tmp.write(encodeHeader(), 0, HEADER_SIZE, 0);
      let size = HEADER_SIZE;
      const now = Date.now();
      let chunk: SetItem[] = [];
      let chunkBytes = 0;
      const flush = async () => {
        if (chunk.length === 0) return;
        const buf = encodeRecord({ op: 'set', items: chunk });
        await writeAll(tmp, [buf], size);
        size += buf.length;
        chunk = [];
        chunkBytes = 0;
      };
      for (const item of snapshot) {
        if (this.#closed) return;
        if (item.expiresAt !== undefined && item.expiresAt <= now) continue;
        chunk.push(item);
        chunkBytes += itemSize(Buffer.byteLength(item.key), item.value.byteLength);
        if (chunkBytes >= COMPACT_RECORD_BYTES) await flush();
      }
      await flush();
      await tmp.datasync();

      await this.#exclusive(async () => {
        if (this.#closed || this.#failed !== undefined) return;
        // Records committed since the snapshot, copied as they are (they were fsync'd in the old log).
        let from = before;
        const copy = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, this.#size - before)));
        while (from < this.#size) {
          const { bytesRead } = await this.#fh.read(copy, 0, Math.min(copy.length, this.#size - from), from);
          if (bytesRead === 0) throw new Error(`the log ended at ${from}, before its end ${this.#size}`);
          await writeAll(tmp, [copy.subarray(0, bytesRead)], size);
          size += bytesRead;
          from += bytesRead;
        }
        await tmp.datasync();
        await rename(tmpPath, this.#file);
        // From here the new file is the log: a failure below is a write failure, not a failed compaction.
        swapped = true;
        const old = this.#fh;
        const dropped = this.#size - size;
        this.#fh = tmp;
        this.#size = size;
        await old.close().catch(() => undefined);
        try {
          await fsyncDir(dirname(this.#file));
        } catch (err) {
          this.#fail(err);
          return;
        }
        this.#log.debug('kv file compacted', { file: this.#file, size, dropped_bytes: dropped });
      });
    } finally {
      if (!swapped) {
        await tmp.close().catch(() => undefined);
        await unlink(tmpPath).catch(() => undefined);
      }
    }
  }
}

async function openOrCreate(file: string, permissions: number): Promise<FileHandle> {
  try {
    return await open(file, constants.O_RDWR);
  } catch (err) {
    if (errCode(err) !== 'ENOENT') throw err;
  }
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, permissions);
  } catch (err) {
    // Created by someone else in between: they hold no lock (we do), so it is just a file to read.
    if (errCode(err) === 'EEXIST') return open(file, constants.O_RDWR);
    throw err;
  }
  try {
    // The umask would otherwise strip bits from `permissions`.
    await fh.chmod(permissions);
    await fh.write(encodeHeader(), 0, HEADER_SIZE, 0);
    await fh.datasync();
    await fsyncDir(dirname(file));
    return fh;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

function estimateBytes(record: LogRecord): number {
  if (record.op === 'set') return record.items.reduce((sum, i) => sum + i.value.byteLength + Buffer.byteLength(i.key) + 16, 5);
  return 0;
}
