/**
 * The pool's public contract. @rr/contracts re-exports these types (import type only) so plugins
 * (http, jobs, grpc) program against them without depending on the implementation.
 */

/** A unit of work or a worker's answer: one goridge data frame, split at option 0. */
export interface Payload {
  /** Metadata (JSON request context, job context…). */
  context: Buffer;
  body: Buffer;
  /** Frame flags byte: the codec (0x08 JSON, 0x80 PROTO, 0x04 RAW, 0 none). */
  codec: number;
}

/** What `exec` resolves with. */
export interface ExecResult extends Payload {
  /**
   * Present when the worker streams (its first frame had the STREAM bit): the remaining frames, the last
   * one without STREAM. The worker stays busy until the iteration ends. Ending the iteration early
   * (`break`, `return()`) or aborting `signal` sends a STOP frame and drains the worker within
   * `stream_timeout`, after which it is killed.
   */
  stream?: AsyncIterable<Payload>;
}

export interface ExecOptions {
  /** Aborting cancels a request still waiting for a worker, and stops a stream in progress. */
  signal?: AbortSignal;
}

/** Worker states, RoadRunner's codes and names (`informer.Workers` `status` / `statusStr`). */
export const WorkerStatus = {
  inactive: 0,
  ready: 1,
  working: 2,
  invalid: 3,
  stopping: 4,
  stopped: 5,
  destroyed: 6,
  maxJobsReached: 7,
  errored: 8,
  idleTTLReached: 9,
  ttlReached: 10,
  maxMemoryReached: 11,
  execTTLReached: 12,
} as const;
export type WorkerStatusName = keyof typeof WorkerStatus;

/** One worker as `informer.Workers` reports it (RoadRunner's JSON field names). */
export interface ProcessState {
  pid: number;
  status: number;
  /** RoadRunner's name of the state ('ready', 'working', …; 'undefined' for execTTLReached, as RoadRunner prints it). */
  statusStr: string;
  numExecs: number;
  /** Unix time in nanoseconds. */
  created: number;
  /** RSS in bytes (0 when unknown). */
  memoryUsage: number;
  CPUPercent: number;
  command: string;
}

/** Counters for metrics and readiness. */
export interface PoolStats {
  /** Requests waiting for a free worker. */
  queued: number;
  total: number;
  ready: number;
  working: number;
  invalid: number;
}

/** `<plugin>.pool` settings, resolved (durations in ms, sizes in MB as RoadRunner's keys say). */
export interface PoolConfig {
  /** Overrides the server command for this pool. */
  command?: readonly string[] | undefined;
  num_workers: number;
  max_jobs: number;
  allocate_timeout: number;
  reset_timeout: number;
  destroy_timeout: number;
  stream_timeout: number;
  max_queue_size: number;
  debug: boolean;
  dynamic_allocator?: { max_workers: number; spawn_rate: number; idle_timeout: number } | undefined;
  supervisor?:
    | {
        watch_tick: number;
        ttl: number;
        idle_ttl: number;
        /** MB; 0 = off. Soft: a busy worker finishes its request first. */
        max_worker_memory: number;
        /** Hard per-request deadline; 0 = off. */
        exec_ttl: number;
      }
    | undefined;
}

/** Where pool log lines go (the logs plugin's logger satisfies this). */
export interface PoolLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Everything needed to run a pool. */
export interface PoolOptions {
  /** The owning plugin ('http', 'jobs'…): log field and error context. */
  name: string;
  /** argv of the worker; `config.command` wins when set. */
  command: readonly string[];
  /** Full environment of worker processes (RR_MODE, RR_RELAY, RR_RPC, RR_VERSION already included). */
  env: Readonly<Record<string, string>>;
  cwd?: string | undefined;
  /** 'pipes' or a tcp://host:port / unix:///path the pool listens on for its workers. */
  relay: string;
  config: PoolConfig;
  logger: PoolLogger;
  /** Run workers as this uid/gid (rr must be root). */
  uid?: number | undefined;
  gid?: number | undefined;
}

/** A supervised set of long-lived worker processes. */
export interface WorkerPool {
  readonly name: string;
  /** Spawns `num_workers` workers (none in debug mode); resolves when all completed their handshake. */
  start(): Promise<void>;
  /**
   * Runs one request on a free worker. A request that never reached a worker (the worker died first, or
   * asked to be replaced with `{"stop":true}`) is retried on another.
   *
   * @throws RR_ERR_POOL_NO_FREE_WORKERS no worker within allocate_timeout
   * @throws RR_ERR_POOL_QUEUE_FULL max_queue_size requests already waiting
   * @throws RR_ERR_POOL_WORKER_ERROR the worker answered with an error frame (it stays in the pool)
   * @throws RR_ERR_POOL_EXEC_TTL exec_ttl elapsed; the worker was killed
   * @throws RR_ERR_POOL_WORKER_CRASHED the worker died while handling the request
   * @throws RR_ERR_POOL_STOPPED the pool is being destroyed
   */
  exec(payload: Payload, options?: ExecOptions): Promise<ExecResult>;
  workers(): ProcessState[];
  stats(): PoolStats;
  /** True when a request could be dispatched now: at least one live worker that is ready or will be freed (not all stuck). */
  isReady(): boolean;
  /** Rolling reset: new workers start before old ones retire; no request fails. */
  reset(): Promise<void>;
  addWorker(): Promise<void>;
  /** Soft-stops one worker, never the last one. Resolves false when none could be removed. */
  removeWorker(): Promise<boolean>;
  /** Stops intake, lets busy workers finish within destroy_timeout, then kills the rest. Idempotent. */
  destroy(): Promise<void>;
}
