export * from './types.js';
export { poolErrors } from './errors.js';
export {
  createPool,
  MAX_NUM_WORKERS,
  MAX_TOTAL_WORKERS,
  MAX_ATTEMPTS,
  BOOT_GRACE_MS,
  BACKOFF_MIN_MS,
  BACKOFF_MAX_MS,
  type Pool,
  type PoolEvents,
  type CreatePoolOptions,
} from './pool.js';
export { WorkerProcess, RetryRequest, statusName, type WorkerOptions, type WorkerHooks, type WorkerExit } from './worker.js';
export { ResponseStream, STREAM_HIGH_WATER, STREAM_LOW_WATER } from './stream.js';
