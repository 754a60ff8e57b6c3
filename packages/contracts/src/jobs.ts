import { manyRef, type StandardSchemaV1 } from '@rr/kernel';
import type { Logger } from './logger.js';

/** Job headers as the wire carries them (`map<string, HeaderValue>`): name → values. */
export type JobHeaders = Record<string, string[]>;

/**
 * One job as the core hands it to a driver's `push`. The core has already resolved `priority` (a job
 * pushed with 0 takes its pipeline's), so a driver stores and returns it unchanged.
 */
export interface JobMessage {
  /** Unique id given by the producer (PHP: a UUIDv4). */
  id: string;
  /** The job name, usually a PHP class. */
  job: string;
  /** The payload bytes, exactly as pushed; binary-safe. */
  payload: Uint8Array;
  headers: JobHeaders;
  /** Lower runs first; never 0 here. */
  priority: number;
  /** Not delivered before this many milliseconds after `push` resolved; 0 = at once. */
  delayMs: number;
  /** The job is acked as soon as it is delivered, before any worker runs it (at most once). */
  autoAck: boolean;
}

/** How a delivered job is given back without being processed. */
export interface JobNackOptions {
  /** Put the same message (headers unchanged) back for redelivery; without it the job is dropped. */
  requeue?: boolean | undefined;
  /** With `requeue`: not redelivered before this many milliseconds. */
  delayMs?: number | undefined;
}

/** How a delivered job is put back as a new copy. */
export interface JobRequeueOptions {
  /** Merged over the job's headers (a name given here replaces that header's values). */
  headers?: JobHeaders | undefined;
  /** The copy is not delivered before this many milliseconds. */
  delayMs?: number | undefined;
}

/**
 * A job a driver delivered to the core. Exactly one of `ack`, `nack` and `requeue` settles it: the first
 * call wins and any later call resolves without effect, as do calls after the pipeline was stopped or
 * destroyed (the job has gone back to the queue by then). The returned promise resolves once the
 * broker/store has applied the outcome.
 */
export interface DeliveredJob extends Readonly<JobMessage> {
  /** The pipeline that delivered it. */
  readonly pipeline: string;
  /** The driver's queue name (the handle's `queue`). */
  readonly queue: string;
  /** Done: removes the job for good. */
  ack(): Promise<void>;
  /** Not done: drops it, or gives the same message back with `requeue`. */
  nack(options?: JobNackOptions): Promise<void>;
  /**
   * Puts a copy back (headers merged, after the delay), then acks this one. A driver needs no attempt
   * counter: the core keeps its count in a header and passes it here.
   */
  requeue(options?: JobRequeueOptions): Promise<void>;
}

/**
 * Where a driver sends each job it delivers. The driver must not deliver the next job before the
 * returned promise (if any) settles: that is the core's back-pressure (its priority queue is full).
 */
export type JobDeliver = (job: DeliveredJob) => void | Promise<void>;

/** A pipeline's counters as its driver knows them (RoadRunner's `jobs.Stat`). */
export interface JobsDriverStat {
  /** The broker-side queue name (the memory driver: the pipeline name). */
  queue: string;
  /** Jobs waiting in the queue, ready to be delivered now. */
  active: number;
  /** Jobs waiting for their delay to pass. */
  delayed: number;
  /** Jobs delivered to the core and not settled yet (at most `prefetch`). */
  reserved: number;
}

/**
 * One opened pipeline. Semantics every driver keeps (checked by `describeJobsDriver` in @rr/testkit):
 * - a handle starts paused: nothing is delivered before the first `resume()`;
 * - `push` resolves only once the broker/store has accepted every message (durably where the backend
 *   is); it works whether or not the pipeline consumes;
 * - at most `prefetch` delivered jobs are unsettled at any time;
 * - a delay (on push, on `nack` with requeue, on `requeue`) is honoured: never delivered before it;
 * - ordering is not promised beyond "a ready job is delivered eventually"; priority is the core's;
 * - headers and payload round-trip byte for byte;
 * - backend failures reject with an RrError whose code names the driver, never hang past the driver's
 *   own timeout.
 */
export interface JobsPipeline {
  /** The queue name reported in deliveries and stats. */
  readonly queue: string;
  /** Stores the messages, in order. A batch may be written at once; a failure rejects the whole call. */
  push(messages: readonly JobMessage[]): Promise<void>;
  /** Starts (or restarts after `pause`) delivering to the core's `deliver`. Idempotent. */
  resume(): Promise<void>;
  /** Stops delivering new jobs; jobs already delivered stay in flight and settle normally. Idempotent. */
  pause(): Promise<void>;
  stat(): Promise<JobsDriverStat>;
  /**
   * Stops consuming and releases connections, keeping the data: every delivered job that is still
   * unsettled goes back to the queue, so a pipeline opened later on the same queue gets it (where the
   * backend outlives the process). Idempotent.
   */
  stop(signal: AbortSignal): Promise<void>;
  /**
   * `jobs.Destroy`: stops as `stop` does, then removes what the pipeline's options ask to remove on
   * destroy (`delete_queue_on_stop`, `delete_stream_on_stop`…; the memory driver drops its queue).
   */
  destroy(signal: AbortSignal): Promise<void>;
}

/** What the jobs plugin hands a driver when it opens the pipeline `jobs.pipelines.<pipeline>`. */
export interface JobsOpenContext<C> {
  /** The pipeline's name. */
  pipeline: string;
  /**
   * The driver options, validated by the driver's `configSchema`. The core's own keys (`priority`,
   * `prefetch`, `max_attempts`, `dead_letter`, `retry_delay`) are removed before validation.
   */
  config: C;
  /** The pipeline's priority (RoadRunner's common `priority` key, default 10). */
  priority: number;
  /** Most delivered jobs allowed unsettled at once (`prefetch`, default the driver's `defaultPrefetch`). */
  prefetch: number;
  /** The pipeline's logger (channel `jobs`, field `pipeline`). */
  logger: Logger;
  /** Where delivered jobs go; see {@link JobDeliver}. */
  deliver: JobDeliver;
}

/**
 * A jobs driver, provided by a driver plugin (memory, amqp, nats, redis, boltdb …) and collected by the
 * jobs plugin, which picks it by `jobs.pipelines.<name>.driver`. Connection settings live in the driver
 * plugin's own root section (`amqp.addr`); `configSchema` validates per-pipeline options only. Runtime
 * `jobs.Declare` passes every option as a string, so numeric and boolean options should accept strings
 * (`int()`, `bool()` from @rr/config).
 */
export interface JobsDriver<C = unknown> {
  /** The name users write in `driver:`. */
  name: string;
  configSchema: StandardSchemaV1<unknown, C>;
  /** `prefetch` when the pipeline does not set it (RoadRunner's per-driver default). */
  defaultPrefetch: number;
  /** Opens one pipeline; it starts paused. A driver plugin connects here, never at its own init. */
  open(ctx: JobsOpenContext<C>): Promise<JobsPipeline>;
}

export const jobsDriversRef = manyRef<JobsDriver<any>>('jobs.drivers'); // eslint-disable-line @typescript-eslint/no-explicit-any
