import type {
  DeliveredJob,
  JobDeliver,
  JobHeaders,
  JobMessage,
  JobNackOptions,
  JobRequeueOptions,
  JobsDriver,
  JobsDriverStat,
  JobsOpenContext,
  JobsPipeline,
} from '@rr/contracts';
import { z } from 'zod';
import { memoryErrors } from './errors.js';

/**
 * Pipeline options of the memory jobs driver. RoadRunner's memory pipelines have only the core's common
 * keys (`priority`, `prefetch`), which the jobs plugin removes before this schema sees the section.
 */
export const memoryJobsConfigSchema = z.strictObject({}).describe('Options of a memory jobs pipeline (none besides priority and prefetch)');

export type MemoryJobsConfig = z.output<typeof memoryJobsConfigSchema>;

/** A delayed message and the timer that makes it ready. */
interface Delayed {
  message: JobMessage;
  timer: NodeJS.Timeout;
}

/**
 * One queue's data. It belongs to the driver, not to a handle, so a pipeline that is stopped and opened
 * again in the same process (a reload) finds its jobs; `destroy` removes it.
 */
class MemoryQueue {
  /** Ready jobs by priority (lower first), FIFO within a priority, so a resumed pipeline delivers in priority order. */
  readonly ready: JobMessage[] = [];
  readonly delayed = new Set<Delayed>();
  /** The consuming handle, told when a delayed message becomes ready. */
  wake: (() => void) | undefined;

  /**
   * Puts a ready job after every job of the same or a lower priority number (`front`: before those of the
   * same priority, for jobs handed back unsettled). Binary search; the splice is a memmove.
   */
  insert(message: JobMessage, front = false): void {
    let lo = 0;
    let hi = this.ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = (this.ready[mid] as JobMessage).priority;
      if (p < message.priority || (!front && p === message.priority)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.ready.length) this.ready.push(message);
    else this.ready.splice(lo, 0, message);
  }

  add(message: JobMessage, delayMs: number): void {
    if (delayMs <= 0) {
      this.insert(message);
      this.wake?.();
      return;
    }
    const entry: Delayed = {
      message,
      timer: setTimeout(() => {
        this.delayed.delete(entry);
        this.insert(message);
        this.wake?.();
      }, delayMs),
    };
    // A pending delay must not keep rr alive on its own (the data is in memory and dies with it anyway).
    entry.timer.unref();
    this.delayed.add(entry);
  }

  clear(): void {
    for (const entry of this.delayed) clearTimeout(entry.timer);
    this.delayed.clear();
    this.ready.length = 0;
  }
}

const copyHeaders = (headers: JobHeaders): JobHeaders => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [...v]]));

// The caller may reuse its buffers after push resolves; the queue keeps its own copy.
const copyMessage = (m: JobMessage): JobMessage => ({ ...m, payload: Uint8Array.from(m.payload), headers: copyHeaders(m.headers) });

class MemoryPipeline implements JobsPipeline {
  readonly queue: string;
  readonly #store: MemoryQueue;
  readonly #deliver: JobDeliver;
  readonly #prefetch: number;
  readonly #pipeline: string;
  readonly #onDestroy: () => void;
  readonly #inFlight = new Set<JobMessage>();
  #consuming = false;
  #closed = false;
  #pumping = false;

  constructor(ctx: JobsOpenContext<MemoryJobsConfig>, store: MemoryQueue, onDestroy: () => void) {
    this.queue = ctx.pipeline;
    this.#pipeline = ctx.pipeline;
    this.#store = store;
    this.#deliver = ctx.deliver;
    this.#prefetch = Math.max(1, ctx.prefetch);
    this.#onDestroy = onDestroy;
  }

  push(messages: readonly JobMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(memoryErrors.PIPELINE_STOPPED(this.#pipeline));
    for (const message of messages) this.#store.add(copyMessage(message), message.delayMs);
    return Promise.resolve();
  }

  resume(): Promise<void> {
    if (this.#closed || this.#consuming) return Promise.resolve();
    this.#consuming = true;
    this.#store.wake = () => void this.#pump();
    void this.#pump();
    return Promise.resolve();
  }

  pause(): Promise<void> {
    this.#consuming = false;
    if (this.#store.wake !== undefined) this.#store.wake = undefined;
    return Promise.resolve();
  }

  stat(): Promise<JobsDriverStat> {
    return Promise.resolve({ queue: this.queue, active: this.#store.ready.length, delayed: this.#store.delayed.size, reserved: this.#inFlight.size });
  }

  stop(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    void this.pause();
    this.#closed = true;
    // Unsettled jobs go back in front of their priority, where they were taken from.
    for (const message of [...this.#inFlight].reverse()) this.#store.insert(message, true);
    this.#inFlight.clear();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    await this.stop();
    this.#store.clear();
    this.#onDestroy();
  }

  /** Delivers ready jobs while consuming and under prefetch, one at a time (the core's back-pressure). */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#consuming && !this.#closed && this.#inFlight.size < this.#prefetch) {
        const message = this.#store.ready.shift();
        if (message === undefined) break;
        this.#inFlight.add(message);
        await this.#deliver(this.#delivered(message));
      }
    } finally {
      this.#pumping = false;
    }
  }

  #delivered(message: JobMessage): DeliveredJob {
    let settled = false;
    // First settle wins; after stop the job is back in the queue, so settling it would duplicate or lose it.
    const settle = (apply: () => void): Promise<void> => {
      if (settled || !this.#inFlight.has(message)) return Promise.resolve();
      settled = true;
      this.#inFlight.delete(message);
      apply();
      if (this.#consuming) void this.#pump();
      return Promise.resolve();
    };
    return {
      ...message,
      pipeline: this.#pipeline,
      queue: this.queue,
      ack: () => settle(() => undefined),
      nack: (options?: JobNackOptions) =>
        settle(() => {
          if (options?.requeue === true) this.#store.add(message, options.delayMs ?? 0);
        }),
      requeue: (options?: JobRequeueOptions) =>
        settle(() => {
          const headers = { ...copyHeaders(message.headers), ...copyHeaders(options?.headers ?? {}) };
          this.#store.add({ ...message, headers }, options?.delayMs ?? 0);
        }),
    };
  }
}

/**
 * Creates the memory jobs driver: queues in rr's own memory (the embedded default). Jobs do not survive
 * the process; within it, a stopped pipeline keeps its jobs until it is destroyed. Each call returns a
 * driver with its own queues.
 */
export function createMemoryJobsDriver(): JobsDriver<MemoryJobsConfig> {
  const queues = new Map<string, MemoryQueue>();
  return {
    name: 'memory',
    configSchema: memoryJobsConfigSchema,
    // RoadRunner's memory default.
    defaultPrefetch: 100_000,
    open(ctx) {
      let store = queues.get(ctx.pipeline);
      if (store === undefined) {
        store = new MemoryQueue();
        queues.set(ctx.pipeline, store);
      }
      const owned = store;
      return Promise.resolve(
        new MemoryPipeline(ctx, owned, () => {
          if (queues.get(ctx.pipeline) === owned) queues.delete(ctx.pipeline);
        }),
      );
    },
  };
}
