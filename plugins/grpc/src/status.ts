import type { StatusSource, WorkerPool } from '@rr/contracts';

/** /health and /ready for the grpc pool, as the http plugin's: ready = the pool can dispatch now. */
export function createStatusSource(getPool: () => WorkerPool | undefined): StatusSource {
  const starting = { code: 503, message: 'the grpc pool is starting' };
  return {
    name: 'grpc',
    health() {
      const pool = getPool();
      if (pool === undefined) return starting;
      const active = pool.workers().some((w) => w.statusStr === 'ready' || w.statusStr === 'working');
      return active ? { code: 200, message: '' } : { code: 503, message: 'no active workers in the grpc pool' };
    },
    ready() {
      const pool = getPool();
      if (pool === undefined) return starting;
      return pool.isReady() ? { code: 200, message: '' } : { code: 503, message: 'the grpc pool cannot take a request now' };
    },
  };
}
