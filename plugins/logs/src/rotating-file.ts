import { createReadStream, createWriteStream, closeSync, fstatSync, openSync, renameSync, writeSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** What `file_logger_options` resolves to. */
export interface RotationOptions {
  /** Absolute path of the live file. */
  path: string;
  /** Megabytes. */
  max_size: number;
  /** Days. */
  max_age: number;
  max_backups: number;
  compress: boolean;
  now: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;

/**
 * A log file rotated by size, with lumberjack's naming and retention so existing tooling finds the
 * backups: `rr.log` rotates to `rr-2006-01-02T15-04-05.000.log` (UTC) next to it, optionally gzipped;
 * backups beyond `max_backups` or older than `max_age` days are deleted.
 *
 * @remarks Writing and rotating (rename + reopen) are synchronous, so no line is lost or reordered;
 * compression and pruning run in the background, one pass at a time, and report failures.
 */
export class RotatingFile {
  readonly #opts: RotationOptions;
  readonly #report: (message: string) => void;
  readonly #prefix: string;
  readonly #ext: string;
  #fd: number | undefined;
  #size: number;
  #lastStamp = 0;
  #housekeeping: Promise<void> = Promise.resolve();

  /** Opens (or creates) the file for append. @throws the fs error when it cannot be opened. */
  constructor(opts: RotationOptions, report: (message: string) => void) {
    this.#opts = opts;
    this.#report = report;
    this.#ext = extname(opts.path);
    this.#prefix = `${basename(opts.path, this.#ext)}-`;
    this.#fd = openSync(opts.path, 'a');
    this.#size = fstatSync(this.#fd).size;
  }

  /** Appends text, rotating first when it would push a non-empty file past `max_size`. */
  write(text: string): void {
    if (this.#fd === undefined) return;
    const length = Buffer.byteLength(text);
    if (this.#size > 0 && this.#size + length > this.#opts.max_size * MB) this.#rotate();
    writeSync(this.#fd, text);
    this.#size += length;
  }

  /** Resolves when background compression and pruning are done (tests, and close). */
  settled(): Promise<void> {
    return this.#housekeeping;
  }

  /** Closes the file after pending housekeeping; later writes are dropped. */
  async close(): Promise<void> {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    await this.#housekeeping;
  }

  #rotate(): void {
    const fd = this.#fd as number;
    // Two rotations in one millisecond would produce the same name; keep stamps strictly increasing.
    const stamp = Math.max(this.#opts.now(), this.#lastStamp + 1);
    this.#lastStamp = stamp;
    const backup = join(dirname(this.#opts.path), `${this.#prefix}${formatStamp(stamp)}${this.#ext}`);
    try {
      closeSync(fd);
      renameSync(this.#opts.path, backup);
    } catch (err) {
      this.#report(`cannot rotate ${this.#opts.path}: ${(err as Error).message}`);
    }
    try {
      this.#fd = openSync(this.#opts.path, 'a');
      this.#size = fstatSync(this.#fd).size;
    } catch (err) {
      this.#fd = undefined;
      this.#report(`cannot reopen ${this.#opts.path} after rotating it; its lines are dropped: ${(err as Error).message}`);
      return;
    }
    this.#housekeeping = this.#housekeeping.then(() => this.#tidy()).catch((err: unknown) => this.#report(`log rotation housekeeping failed: ${(err as Error).message}`));
  }

  /** lumberjack's millRunOnce: delete beyond max_backups and past max_age, then compress what is left. */
  async #tidy(): Promise<void> {
    const dir = dirname(this.#opts.path);
    const backups: { name: string; stamp: number }[] = [];
    for (const name of await readdir(dir)) {
      const stamp = this.#stampOf(name);
      if (stamp !== undefined) backups.push({ name, stamp });
    }
    backups.sort((a, b) => b.stamp - a.stamp);
    const cutoff = this.#opts.now() - this.#opts.max_age * DAY_MS;
    const keep: typeof backups = [];
    const remove: typeof backups = [];
    const kept = new Set<number>();
    for (const b of backups) {
      // A backup and its .gz (a compression that was interrupted) count once.
      const fresh = !kept.has(b.stamp);
      if (b.stamp < cutoff || (fresh && kept.size >= this.#opts.max_backups)) remove.push(b);
      else {
        kept.add(b.stamp);
        keep.push(b);
      }
    }
    for (const b of remove) await unlink(join(dir, b.name)).catch((err: unknown) => this.#report(`cannot remove old log ${b.name}: ${(err as Error).message}`));
    if (!this.#opts.compress) return;
    for (const b of keep) {
      if (b.name.endsWith('.gz')) continue;
      const src = join(dir, b.name);
      await pipeline(createReadStream(src), createGzip(), createWriteStream(`${src}.gz`));
      await unlink(src);
    }
  }

  #stampOf(name: string): number | undefined {
    const plain = name.endsWith('.gz') ? name.slice(0, -3) : name;
    if (!plain.startsWith(this.#prefix) || !plain.endsWith(this.#ext)) return undefined;
    const text = plain.slice(this.#prefix.length, plain.length - this.#ext.length);
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d)-(\d\d)-(\d\d)\.(\d{3})$/.exec(text);
    if (m === null) return undefined;
    const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[];
    return Date.UTC(y as number, (mo as number) - 1, d, h, mi, s, ms);
  }
}

/** lumberjack's backup time format, `2006-01-02T15-04-05.000`, in UTC. */
function formatStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23).replace(/:/g, '-');
}
