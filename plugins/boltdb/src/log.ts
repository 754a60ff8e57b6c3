import { constants } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import { boltdbErrors } from './errors.js';
import { bodyOf, checkHeader, encodeHeader, frameAt, HEADER_SIZE, type FileKind } from './format.js';
import { acquireLock, type FileLock } from './lock.js';

/**
 * What a log holds, kept in memory: a kv index or a jobs queue. The log feeds it every record, replayed
 * on open and committed later, so it is always the replay of the log's durable part.
 */
export interface LogState {
  /**
   * Applies one record body (a view: copy what must outlive the call).
   *
   * @throws Error when the body does not decode (on replay the log reports RR_ERR_BOLTDB_CORRUPT).
   */
  apply(body: Buffer, now: number): void;
  /** Bytes the live data takes in a compacted log, header excluded. */
  liveBytes(): number;
  /**
   * Captures the live data, synchronously: the log calls it at a point where the state equals the replay
   * of the log so far. The returned function yields the compacted log's records (encoded), later, while
   * writes go on.
   */
  snapshot(): (now: number) => Iterable<Buffer>;
}

/** What `AppendLog.open` needs. */
export interface AppendLogOptions {
  /** The log file; relative paths resolve against the working directory. */
  file: string;
  /** Mode of a newly created file. */
  permissions: number;
  /** Which records the file holds; a file of the other kind is refused. */
  kind: FileKind;
  logger: Logger;
  /**
   * The log is compacted when it is larger than this and than twice the live data.
   * @defaultValue 1 MiB
   */
  compactMinBytes?: number;
}

type Job =
  | { kind: 'record'; buf: Buffer; resolve: () => void; reject: (err: unknown) => void }
  | { kind: 'exclusive'; run: () => Promise<void> };

const READ_CHUNK = 1 << 20;

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;
export const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function fsyncDir(dir: string): Promise<void> {
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
 * rr's append-only log (format in format.ts and the README), whatever its records mean. Appends resolve
 * once their record is written and fdatasync'd; records that arrive while an fsync runs share the next
 * one (group commit). Each committed record is applied to the `LogState` from the bytes that reached the
 * disk, before its append resolves. Compaction rewrites the live data from a snapshot of the state.
 */
export class AppendLog {
  readonly #file: string;
  readonly #kind: FileKind;
  readonly #log: Logger;
  readonly #compactMin: number;
  readonly #state: LogState;
  readonly #queue: Job[] = [];
  #fh: FileHandle;
  #lock: FileLock;
  /** End of the durable log: where the next batch is written. */
  #size = HEADER_SIZE;
  #draining = false;
  #failed: RrError | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #compacting: Promise<void> | undefined;

  private constructor(file: string, fh: FileHandle, lock: FileLock, state: LogState, options: AppendLogOptions) {
    this.#file = file;
    this.#kind = options.kind;
    this.#fh = fh;
    this.#lock = lock;
    this.#state = state;
    this.#log = options.logger;
    this.#compactMin = options.compactMinBytes ?? 1 << 20;
  }

  /**
   * Takes `<file>.lock`, opens (creating it if needed) and replays the log into `state`, dropping a torn
   * tail with a warn line, then considers compaction.
   *
   * @throws RR_ERR_BOLTDB_DIR_MISSING, RR_ERR_BOLTDB_LOCKED, RR_ERR_BOLTDB_FOREIGN_FILE,
   * RR_ERR_BOLTDB_WRONG_KIND, RR_ERR_BOLTDB_UNSUPPORTED_VERSION, RR_ERR_BOLTDB_CORRUPT, RR_ERR_BOLTDB_OPEN_FAILED.
   */
  static async open(options: AppendLogOptions, state: LogState): Promise<AppendLog> {
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
      fh = await openOrCreate(file, options.permissions, options.kind);
      const log = new AppendLog(file, fh, lock, state, options);
      await log.#replay();
      // A log left mostly garbage (say, a clear before the restart) need not wait for the next write.
      log.maybeCompact();
      return log;
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

  /** Bytes in the durable log, header included. */
  get size(): number {
    return this.#size;
  }

  /** The error that stopped writes, if one did. */
  get failed(): RrError | undefined {
    return this.#failed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends one encoded record (see format.ts): resolves once it is fdatasync'd and applied to the state.
   *
   * @throws RR_ERR_BOLTDB_CLOSED after close, RR_ERR_BOLTDB_WRITE_FAILED once a write or fsync failed.
   */
  append(buf: Buffer): Promise<void> {
    if (this.#closed) return Promise.reject(boltdbErrors.CLOSED(this.#file, { plugin: 'boltdb' }));
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'record', buf, resolve, reject });
      this.#drain();
    });
  }

  /** Whether a compaction is running. */
  get compacting(): boolean {
    return this.#compacting !== undefined;
  }

  /** Resolves when no compaction runs (for tests and close). */
  async compaction(): Promise<void> {
    await this.#compacting;
  }

  /**
   * Flushes queued appends, waits for a running compaction, then closes the file and releases the lock.
   * With `remove`, the file is deleted (and the deletion made durable) before the lock is released, so no
   * other opener can see it half gone.
   */
  close(options: { remove?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      await this.#compacting;
      await this.#exclusive(async () => {
        try {
          await this.#fh.close();
          if (options.remove === true) {
            await unlink(this.#file).catch((err: unknown) => {
              if (errCode(err) !== 'ENOENT') throw err;
            });
            await unlink(`${this.#file}.compact`).catch(() => undefined);
            await fsyncDir(dirname(this.#file));
          }
        } finally {
          await this.#lock.release();
        }
      });
    })();
    return this.#closing;
  }

  // ── writing ──────────────────────────────────────────────────────────────────────────────────────

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
        this.#log.error(`${this.#kind} file writer stopped; this is a bug`, { file: this.#file, error: reason(err) });
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
    // Applied from the bytes that reached the disk, through replay's own decoder: the state is, by
    // construction, what a restart would rebuild.
    for (const job of batch) {
      this.#state.apply(bodyOf(job.buf), now);
      job.resolve();
    }
    this.maybeCompact();
  }

  #fail(err: unknown): void {
    // After a failed write or fsync the kernel may have dropped the dirty pages: what is on disk is
    // unknown, so no later write may be acknowledged on top of it (PostgreSQL's "fsyncgate" lesson).
    this.#failed ??= boltdbErrors.WRITE_FAILED(this.#file, reason(err), { plugin: 'boltdb', cause: err, details: { file: this.#file } });
    this.#log.error(`${this.#kind} file write failed; refusing further writes`, { file: this.#file, error: reason(err) });
  }

  // ── replay ───────────────────────────────────────────────────────────────────────────────────────

  async #replay(): Promise<void> {
    const fh = this.#fh;
    const kind = this.#kind;
    const fileSize = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(HEADER_SIZE, fileSize));
    if (head.length > 0) await fh.read(head, 0, head.length, 0);
    const header = checkHeader(head, kind);
    switch (header.kind) {
      case 'foreign':
        throw boltdbErrors.FOREIGN_FILE(this.#file, kind, { plugin: 'boltdb', details: { file: this.#file, first_bytes: head.toString('hex') } });
      case 'other':
        throw boltdbErrors.WRONG_KIND(this.#file, header.other, kind, { plugin: 'boltdb', details: { file: this.#file, kind: header.other } });
      case 'version':
        throw boltdbErrors.UNSUPPORTED_VERSION(this.#file, kind, header.version, { plugin: 'boltdb', details: { file: this.#file } });
      case 'empty':
      case 'torn':
        // Created, then a crash before the header was durable: nothing was ever acknowledged in it.
        if (header.kind === 'torn') this.#log.warn(`dropping a torn ${kind} file header`, { file: this.#file, offset: 0, dropped_bytes: fileSize });
        await fh.truncate(0);
        await fh.write(encodeHeader(kind), 0, HEADER_SIZE, 0);
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
        try {
          this.#state.apply(frame.body, now);
        } catch (err) {
          throw boltdbErrors.CORRUPT(this.#file, bufStart + pos, reason(err), { plugin: 'boltdb', details: { file: this.#file, offset: bufStart + pos } });
        }
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
      this.#log.warn(`dropping a torn tail of the ${kind} file`, { file: this.#file, offset: end, dropped_bytes: fileSize - end, problem: problem ?? 'unreadable' });
      await fh.truncate(end);
      await fh.datasync();
    }
  }

  // ── compaction ───────────────────────────────────────────────────────────────────────────────────

  /** Starts a compaction when the log is larger than the minimum and more than twice the live data. */
  maybeCompact(): void {
    if (this.#compacting !== undefined || this.#closed || this.#failed !== undefined) return;
    if (this.#size <= this.#compactMin || this.#size <= 2 * (HEADER_SIZE + this.#state.liveBytes())) return;
    this.#compacting = this.#compact()
      .catch((err: unknown) => this.#log.warn(`${this.#kind} file compaction failed; the log stays as it was`, { file: this.#file, error: reason(err) }))
      .finally(() => {
        this.#compacting = undefined;
      });
  }

  /**
   * Writes the live data to `<file>.compact` while reads and writes go on, then, alone with the file,
   * appends the records logged since the snapshot, fsyncs, renames it over the log and fsyncs the folder.
   */
  async #compact(): Promise<void> {
    const tmpPath = `${this.#file}.compact`;
    const before = this.#size;
    // The state equals the replay of log[0, before) at this synchronous point.
    const records = this.#state.snapshot();
    const mode = (await this.#fh.stat()).mode & 0o7777;
    const tmp = await open(tmpPath, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC, mode);
    let swapped = false;
    try {
      await tmp.chmod(mode);
      await tmp.write(encodeHeader(this.#kind), 0, HEADER_SIZE, 0);
      let size = HEADER_SIZE;
      for (const buf of records(Date.now())) {
        if (this.#closed) return;
        await writeAll(tmp, [buf], size);
        size += buf.length;
      }
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
        this.#log.debug(`${this.#kind} file compacted`, { file: this.#file, size, dropped_bytes: dropped });
      });
    } finally {
      if (!swapped) {
        await tmp.close().catch(() => undefined);
        await unlink(tmpPath).catch(() => undefined);
      }
    }
  }
}

async function openOrCreate(file: string, permissions: number, kind: FileKind): Promise<FileHandle> {
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
    await fh.write(encodeHeader(kind), 0, HEADER_SIZE, 0);
    await fh.datasync();
    await fsyncDir(dirname(file));
    return fh;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}
