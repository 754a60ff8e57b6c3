import { Heap } from './heap.js';
import { decodeJobsBody, encodeJobsRecord, jobSize, type StoredJobData } from './jobs-format.js';
import type { LogState } from './log.js';

/**
 * Where a queued job is:
 * - `ready`: waiting, deliverable now;
 * - `delayed`: waiting for its due time;
 * - `reserved`: delivered to the core, not settled (held in memory only: a restart makes it ready again);
 * - `settling`: its ack/requeue/delay record is on its way to the disk; it comes back (`release`) if
 *   that write fails.
 */
export type JobState = 'ready' | 'delayed' | 'reserved' | 'settling';

/** A job in the queue: the logged data plus where it is. */
export interface QueuedJob extends StoredJobData {
  payload: Buffer;
  state: JobState;
  /**
   * Bumped whenever the job is placed or delivered: heap entries and deliveries of an earlier turn are
   * stale, so neither a heap nor an old delivery can act on the job twice.
   */
  turn: number;
  removed: boolean;
  /** Bytes the job takes in a compacted log. */
  size: number;
}

interface Entry {
  job: QueuedJob;
  turn: number;
  /** The sort keys, frozen when the entry was made. */
  first: number;
  seq: number;
}

const before = (a: Entry, b: Entry): boolean => a.first < b.first || (a.first === b.first && a.seq < b.seq);

const COMPACT_RECORD_BYTES = 1 << 20;

/**
 * One pipeline's queue, as the replay of its log gives it: every job pushed and not yet acked, with the
 * ready ones in priority order (lower first, FIFO within a priority by push order) and the delayed ones
 * by due time. Which jobs are reserved is not logged.
 */
export class JobsQueue implements LogState {
  readonly #jobs = new Map<number, QueuedJob>();
  readonly #ready = new Heap<Entry>(before);
  readonly #delayed = new Heap<Entry>(before);
  #counts = { ready: 0, delayed: 0, reserved: 0 };
  #nextSeq = 1;
  #liveBytes = 0;
  /** Called after each applied record, once the pipeline is live. */
  onChange: (() => void) | undefined;

  get ready(): number {
    return this.#counts.ready;
  }

  get delayed(): number {
    return this.#counts.delayed;
  }

  get reserved(): number {
    return this.#counts.reserved;
  }

  /** Jobs in the log (any state). */
  get size(): number {
    return this.#jobs.size;
  }

  /** The next job's sequence number, unique in this file for good. */
  allocSeq(): number {
    return this.#nextSeq++;
  }

  // ── LogState ─────────────────────────────────────────────────────────────────────────────────────

  apply(body: Buffer, now: number): void {
    const record = decodeJobsBody(body);
    switch (record.op) {
      case 'push':
        for (const job of record.jobs) this.#add(job, now);
        break;
      case 'ack':
        for (const seq of record.seqs) this.#remove(seq);
        break;
      case 'requeue':
        this.#add(record.copy, now);
        this.#remove(record.replaces);
        break;
      case 'delay':
        for (const { seq, dueAt } of record.items) {
          this.#seen(seq);
          const job = this.#jobs.get(seq);
          if (job === undefined) continue;
          job.dueAt = dueAt;
          this.#place(job, now);
        }
        break;
    }
    this.onChange?.();
  }

  liveBytes(): number {
    return this.#liveBytes;
  }

  snapshot(): (now: number) => Iterable<Buffer> {
    // Copies: a delay record changes a job's due time in place.
    const jobs = [...this.#jobs.values()].map(({ seq, dueAt, priority, autoAck, id, job, headers, payload, size }) => ({
      data: { seq, dueAt, priority, autoAck, id, job, headers, payload },
      size,
    }));
    return function* () {
      let chunk: StoredJobData[] = [];
      let chunkBytes = 0;
      for (const { data, size } of jobs) {
        chunk.push(data);
        chunkBytes += size;
        if (chunkBytes >= COMPACT_RECORD_BYTES) {
          yield encodeJobsRecord({ op: 'push', jobs: chunk });
          chunk = [];
          chunkBytes = 0;
        }
      }
      if (chunk.length > 0) yield encodeJobsRecord({ op: 'push', jobs: chunk });
    };
  }

  // ── delivery ─────────────────────────────────────────────────────────────────────────────────────

  /** Moves delayed jobs whose due time has come to the ready queue. */
  promote(now: number): void {
    for (let e = this.#delayed.peek(); e !== undefined; e = this.#delayed.peek()) {
      if (this.#stale(e, 'delayed')) {
        this.#delayed.pop();
        continue;
      }
      if (e.first > now) return;
      this.#delayed.pop();
      this.#place(e.job, now);
    }
  }

  /** The earliest due time of a delayed job. */
  nextDue(): number | undefined {
    for (let e = this.#delayed.peek(); e !== undefined; e = this.#delayed.peek()) {
      if (!this.#stale(e, 'delayed')) return e.first;
      this.#delayed.pop();
    }
    return undefined;
  }

  /** Takes the first ready job (priority, then push order) and marks it reserved. */
  take(): QueuedJob | undefined {
    for (let e = this.#ready.pop(); e !== undefined; e = this.#ready.pop()) {
      if (this.#stale(e, 'ready')) continue;
      const job = e.job;
      this.#leave(job);
      job.state = 'reserved';
      job.turn++;
      this.#counts.reserved++;
      return job;
    }
    return undefined;
  }

  /** A reserved job whose settle record is being written: it no longer counts against prefetch. */
  hold(job: QueuedJob): void {
    this.#leave(job);
  }

  /** Puts a reserved or settling job back in the queue (nack with requeue, or a settle that failed). */
  release(job: QueuedJob, now: number): void {
    if (job.removed || (job.state !== 'reserved' && job.state !== 'settling')) return;
    this.#place(job, now);
  }

  /** Drops stale heap entries (replay leaves one per job acked after it was pushed). */
  rebuild(): void {
    this.#ready.clear();
    this.#delayed.clear();
    for (const job of this.#jobs.values()) {
      if (job.state === 'ready') this.#ready.push(this.#entry(job, job.priority));
      else if (job.state === 'delayed') this.#delayed.push(this.#entry(job, job.dueAt));
    }
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────────

  #add(data: StoredJobData, now: number): void {
    this.#remove(data.seq);
    // A copy of our own: `payload` is a view into a batch or replay buffer that must not stay pinned.
    const job: QueuedJob = { ...data, payload: Buffer.from(data.payload), state: 'settling', turn: 0, removed: false, size: jobSize(data) };
    this.#jobs.set(job.seq, job);
    this.#liveBytes += job.size;
    this.#seen(job.seq);
    this.#place(job, now);
  }

  /** No seq named anywhere in the file is given out again, whatever compaction dropped. */
  #seen(seq: number): void {
    if (seq >= this.#nextSeq) this.#nextSeq = seq + 1;
  }

  #remove(seq: number): void {
    this.#seen(seq);
    const job = this.#jobs.get(seq);
    if (job === undefined) return;
    this.#leave(job);
    job.removed = true;
    this.#jobs.delete(seq);
    this.#liveBytes -= job.size;
  }

  #place(job: QueuedJob, now: number): void {
    this.#leave(job);
    job.turn++;
    if (job.dueAt > now) {
      job.state = 'delayed';
      this.#counts.delayed++;
      this.#delayed.push(this.#entry(job, job.dueAt));
    } else {
      job.state = 'ready';
      this.#counts.ready++;
      this.#ready.push(this.#entry(job, job.priority));
    }
  }

  /** Takes the job out of its state's count; it is `settling` (in no queue) until placed again. */
  #leave(job: QueuedJob): void {
    if (job.state !== 'settling') this.#counts[job.state]--;
    job.state = 'settling';
  }

  #entry(job: QueuedJob, first: number): Entry {
    return { job, turn: job.turn, first, seq: job.seq };
  }

  #stale(e: Entry, state: JobState): boolean {
    return e.job.removed || e.turn !== e.job.turn || e.job.state !== state;
  }
}
