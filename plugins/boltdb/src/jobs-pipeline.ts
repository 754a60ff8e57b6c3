import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  DeliveredJob,
  JobDeliver,
  JobHeaders,
  JobMessage,
  JobNackOptions,
  JobRequeueOptions,
  JobsDriverStat,
  JobsPipeline,
  Logger,
} from '@rr/contracts';
import { isRrError } from '@rr/errors';
import { boltdbErrors } from './errors.js';
import { encodeJobsRecord, type JobsRecord, type StoredJobData } from './jobs-format.js';
import { JobsQueue, type QueuedJob } from './jobs-queue.js';
import { acquireLock } from './lock.js';
import { AppendLog, fsyncDir, reason } from './log.js';

/** What `BoltdbJobsPipeline.open` needs. */
export interface BoltdbPipelineOptions {
  /** The pipeline's name (errors and log lines). */
  pipeline: string;
  /** The queue file; relative paths resolve against the working directory. */
  file: string;
  /** Mode of a newly created file. */
  permissions: number;
  /** Most delivered jobs unsettled at once. */
  prefetch: number;
  logger: Logger;
  deliver: JobDeliver;
  /**
   * The log is compacted when it is larger than this and than twice the live jobs.
   * @defaultValue 1 MiB
   */
  compactMinBytes?: number;
}

/** setTimeout's limit is 2^31-1 ms; a due time further away is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const errCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;
const copyHeaders = (headers: JobHeaders): JobHeaders => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [...v]]));

/**
 * A durable jobs pipeline on rr's append-only log (README "Jobs"). Push, ack, requeue and delayed nacks
 * resolve once their record is fdatasync'd; deliveries are held in memory only, so after a crash every
 * job that was not acked is delivered again (at least once). Delivery follows priority (lower first),
 * then push order, and a delayed job's absolute due time survives restarts.
 */
export class BoltdbJobsPipeline implements JobsPipeline {
  /** The queue is the file: its absolute path. */
  readonly queue: string;
  readonly #pipeline: string;
  readonly #log: AppendLog;
  readonly #jobs: JobsQueue;
  readonly #deliver: JobDeliver;
  readonly #prefetch: number;
  readonly #logger: Logger;
  #consuming = false;
  #closed = false;
  #pumping = false;
  #stopping: Promise<void> | undefined;
  #removed = false;
  #timer: NodeJS.Timeout | undefined;
  #timerDue: number | undefined;

  private constructor(options: BoltdbPipelineOptions, log: AppendLog, jobs: JobsQueue) {
    this.queue = log.file;
    this.#pipeline = options.pipeline;
    this.#log = log;
    this.#jobs = jobs;
    this.#deliver = options.deliver;
    this.#prefetch = Math.max(1, options.prefetch);
    this.#logger = options.logger;
  }

  /**
   * Opens (creating it if needed) and replays the pipeline's file; the handle starts paused.
   *
   * @throws RR_ERR_BOLTDB_DIR_MISSING, RR_ERR_BOLTDB_LOCKED, RR_ERR_BOLTDB_FOREIGN_FILE, RR_ERR_BOLTDB_WRONG_KIND,
   * RR_ERR_BOLTDB_UNSUPPORTED_VERSION, RR_ERR_BOLTDB_CORRUPT, RR_ERR_BOLTDB_OPEN_FAILED.
   */
  static async open(options: BoltdbPipelineOptions): Promise<BoltdbJobsPipeline> {
    const jobs = new JobsQueue();
    const log = await AppendLog.open(
      { file: options.file, permissions: options.permissions, kind: 'jobs', logger: options.logger, compactMinBytes: options.compactMinBytes },
      jobs,
    );
    jobs.rebuild();
    const pipeline = new BoltdbJobsPipeline(options, log, jobs);
    jobs.onChange = () => pipeline.#tick();
    pipeline.#arm();
    options.logger.debug('jobs file opened', { file: log.file, ready: jobs.ready, delayed: jobs.delayed });
    return pipeline;
  }

  /** Whether a compaction is running (tests). */
  get compacting(): boolean {
    return this.#log.compacting;
  }

  /** Resolves when no compaction runs (tests). */
  async compaction(): Promise<void> {
    await this.#log.compaction();
  }

  push(messages: readonly JobMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(this.#stopped());
    if (messages.length === 0) return Promise.resolve();
    const now = Date.now();
    const jobs = messages.map(
      (m): StoredJobData => ({
        seq: this.#jobs.allocSeq(),
        dueAt: m.delayMs > 0 ? now + m.delayMs : 0,
        priority: m.priority,
        autoAck: m.autoAck,
        id: m.id,
        job: m.job,
        headers: m.headers,
        payload: m.payload,
      }),
    );
    return this.#append({ op: 'push', jobs });
  }

  resume(): Promise<void> {
    if (this.#closed || this.#consuming) return Promise.resolve();
    this.#consuming = true;
    void this.#pump();
    return Promise.resolve();
  }

  pause(): Promise<void> {
    this.#consuming = false;
    return Promise.resolve();
  }

  stat(): Promise<JobsDriverStat> {
    this.#tick();
    const { ready, delayed, reserved } = this.#jobs;
    // After stop, what was reserved is back in the file as ready.
    return Promise.resolve(this.#closed ? { queue: this.queue, active: ready + reserved, delayed, reserved: 0 } : { queue: this.queue, active: ready, delayed, reserved });
  }

  /** Flushes the records on their way and closes the file; unsettled deliveries are ready again for the next opener. */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown(false);
    return this.#stopping;
  }

  /**
   * Stops and deletes the pipeline's file: its queued jobs are gone. A handle stopped earlier deletes the
   * file only if no other pipeline has opened it since.
   */
  async destroy(): Promise<void> {
    if (this.#stopping === undefined) {
      this.#stopping = this.#shutdown(true);
      return this.#stopping;
    }
    await this.#stopping.catch(() => undefined);
    if (this.#removed) return;
    this.#removed = true;
    let lock;
    try {
      lock = await acquireLock(this.queue, this.#logger);
    } catch (err) {
      if (!isRrError(err, 'RR_ERR_BOLTDB_LOCKED')) throw err;
      this.#logger.debug('jobs file not removed: another pipeline has opened it since this one stopped', { file: this.queue });
      return;
    }
    try {
      await unlink(this.queue).catch((err: unknown) => {
        if (errCode(err) !== 'ENOENT') throw err;
      });
      await unlink(`${this.queue}.compact`).catch(() => undefined);
      await fsyncDir(dirname(this.queue));
    } finally {
      await lock.release();
    }
  }

  async #shutdown(remove: boolean): Promise<void> {
    this.#closed = true;
    this.#consuming = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#removed = remove;
    await this.#log.close({ remove });
  }

  #stopped() {
    return boltdbErrors.PIPELINE_STOPPED(this.#pipeline, { plugin: 'boltdb', details: { pipeline: this.#pipeline, file: this.queue } });
  }

  #append(record: JobsRecord): Promise<void> {
    let buf: Buffer;
    try {
      buf = encodeJobsRecord(record);
    } catch (err) {
      if (err instanceof RangeError) return Promise.reject(boltdbErrors.TOO_LARGE(recordBytes(record), { plugin: 'boltdb', cause: err }));
      return Promise.reject(err);
    }
    return this.#log.append(buf);
  }

  // ── delivery ─────────────────────────────────────────────────────────────────────────────────────

  /** Promotes due jobs, re-arms the timer, and delivers what may be delivered. */
  #tick(): void {
    if (this.#closed) return;
    this.#jobs.promote(Date.now());
    this.#arm();
    if (this.#consuming) void this.#pump();
  }

  /** One timer, for the earliest due time; it runs while paused too, so stat counts stay exact. */
  #arm(): void {
    const next = this.#jobs.nextDue();
    if (next === this.#timerDue && this.#timer !== undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = next;
    if (next === undefined || this.#closed) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#tick();
      },
      Math.min(Math.max(0, next - Date.now()), MAX_TIMER_MS),
    );
    // A pending delay must not keep rr alive on its own: the due time is in the file.
    this.#timer.unref();
  }

  /** Delivers ready jobs while consuming and under prefetch, one at a time (the core's back-pressure). */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#consuming && !this.#closed && this.#log.failed === undefined && this.#jobs.reserved < this.#prefetch) {
        const job = this.#jobs.take();
        if (job === undefined) break;
        const turn = job.turn;
        try {
          await this.#deliver(this.#delivered(job, turn));
        } catch (err) {
          // The core never rejects a delivery; if it did, the job must not stay reserved forever.
          this.#logger.error('delivery failed; the job goes back to the queue', { id: job.id, error: reason(err) });
          if (!this.#closed && job.state === 'reserved' && job.turn === turn) this.#jobs.release(job, Date.now());
          break;
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #delivered(job: QueuedJob, turn: number): DeliveredJob {
    let settled = false;
    // First settle wins; after stop the job is back in the file, so settling it would duplicate or lose it.
    const settle = (apply: () => Promise<void>): Promise<void> => {
      if (settled || this.#closed || job.state !== 'reserved' || job.turn !== turn) return Promise.resolve();
      settled = true;
      return apply();
    };
    return {
      id: job.id,
      job: job.job,
      payload: job.payload,
      headers: job.headers,
      priority: job.priority,
      // Spent: the job is delivered because its delay has passed.
      delayMs: 0,
      autoAck: job.autoAck,
      pipeline: this.#pipeline,
      queue: this.queue,
      ack: () => settle(() => this.#settleWith(job, { op: 'ack', seqs: [job.seq] })),
      nack: (options?: JobNackOptions) =>
        settle(() => {
          if (options?.requeue !== true) return this.#settleWith(job, { op: 'ack', seqs: [job.seq] });
          const delayMs = options.delayMs ?? 0;
          if (delayMs > 0) return this.#settleWith(job, { op: 'delay', items: [{ seq: job.seq, dueAt: Date.now() + delayMs }] });
          // The job's record is still in the file: giving it back is a move in memory only.
          this.#jobs.release(job, Date.now());
          this.#tick();
          return Promise.resolve();
        }),
      requeue: (options?: JobRequeueOptions) =>
        settle(() => {
          const delayMs = options?.delayMs ?? 0;
          const copy: StoredJobData = {
            seq: this.#jobs.allocSeq(),
            dueAt: delayMs > 0 ? Date.now() + delayMs : 0,
            priority: job.priority,
            autoAck: job.autoAck,
            id: job.id,
            job: job.job,
            headers: { ...copyHeaders(job.headers), ...copyHeaders(options?.headers ?? {}) },
            payload: job.payload,
          };
          return this.#settleWith(job, { op: 'requeue', copy, replaces: job.seq });
        }),
    };
  }

  /** Writes the settle record; the job leaves prefetch at once and comes back if the write fails. */
  async #settleWith(job: QueuedJob, record: JobsRecord): Promise<void> {
    this.#jobs.hold(job);
    this.#tick();
    try {
      await this.#append(record);
    } catch (err) {
      if (!this.#closed) {
        this.#jobs.release(job, Date.now());
        this.#tick();
      }
      throw err;
    }
  }
}

function recordBytes(record: JobsRecord): number {
  if (record.op === 'push') return record.jobs.reduce((sum, j) => sum + j.payload.byteLength, 0);
  if (record.op === 'requeue') return record.copy.payload.byteLength;
  return 0;
}
