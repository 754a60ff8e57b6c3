import { defineErrors } from '@rr/errors';

/**
 * The `@rr/pool` error catalogue (`RR_ERR_POOL_*`). Every error carries `plugin` (the pool's owner) and,
 * where a worker is involved, `details.pid`.
 */
export const poolErrors = defineErrors('POOL', {
  NO_FREE_WORKERS: {
    message: (pool: string, ms: number) => `no free worker in the ${pool} pool within allocate_timeout (${ms} ms)`,
    hint: 'every worker stayed busy: raise pool.num_workers, enable pool.dynamic_allocator or raise pool.allocate_timeout',
  },
  QUEUE_FULL: {
    message: (pool: string, size: number) => `the ${pool} pool queue is full: ${size} requests already wait for a worker (pool.max_queue_size)`,
    hint: 'raise pool.max_queue_size or pool.num_workers; the client may retry later',
  },
  WORKER_ERROR: {
    message: (pool: string, pid: number, text: string) => `worker ${pid} of the ${pool} pool answered with an error: ${text}`,
    hint: 'the PHP application reported this error ($worker->error()); the worker stays in the pool',
  },
  EXEC_TTL: {
    message: (pool: string, pid: number, ms: number) => `worker ${pid} of the ${pool} pool ran longer than exec_ttl (${ms} ms) and was killed`,
    hint: 'raise pool.supervisor.exec_ttl or make the request faster',
  },
  WORKER_CRASHED: {
    message: (pool: string, pid: number, reason: string) => `worker ${pid} of the ${pool} pool died while handling the request: ${reason}`,
    hint: 'see the worker output logged before this error (a PHP fatal error, exit() or a kill); the request is not retried because it reached the worker',
  },
  KILLED: {
    message: (pool: string, pid: number, why: string) => `worker ${pid} of the ${pool} pool was killed while handling the request: ${why}`,
  },
  BAD_RESPONSE: {
    message: (pool: string, pid: number, reason: string) => `worker ${pid} of the ${pool} pool sent a malformed response: ${reason}; the worker was replaced`,
    hint: 'a worker response is one data frame with exactly one option (the context length); use the rr php-sdk or spiral/roadrunner-worker',
  },
  STOPPED: {
    message: (pool: string) => `the ${pool} pool is stopped`,
  },
  ABORTED: {
    message: (pool: string) => `the request to the ${pool} pool was aborted`,
  },
  INVALID_PAYLOAD: {
    message: (pool: string, reason: string) => `invalid request to the ${pool} pool: ${reason}`,
  },
  RETRIES_EXHAUSTED: {
    message: (pool: string, attempts: number) =>
      `the request to the ${pool} pool was re-dispatched ${attempts} times (each worker asked to be replaced or broke before answering)`,
    hint: 'a worker that answers every request with $worker->stop() or writes to stdout never serves anything; check the worker script',
  },
  WORKER_START_FAILED: {
    message: (pool: string, reason: string) => `a worker of the ${pool} pool failed to start: ${reason}`,
    hint: 'check the pool command, its working directory and the worker output logged above',
  },
  LISTEN_FAILED: {
    message: (pool: string, relay: string, reason: string) => `the ${pool} pool cannot listen for its workers on ${relay}: ${reason}`,
    hint: 'pick a free address for server.relay (tcp://127.0.0.1:0 picks a free port) or use pipes',
  },
  INVALID_CONFIG: {
    message: (pool: string, key: string, reason: string) => `invalid ${pool}.pool.${key}: ${reason}`,
  },
  DEBUG_MODE: {
    message: (pool: string, operation: string) => `${operation} is not available for the ${pool} pool in debug mode`,
    hint: 'debug mode starts a fresh worker for every request; turn pool.debug off to scale workers',
  },
});
