import type { StatusSource, WorkerPool } from '@rr/contracts';

/**
 * /health and /ready for the http pool. Health: 200 while any worker is active (ready or working),
 * as RoadRunner. Ready: 200 only when the pool can dispatch a request now (`isReady`), so a pool whose
 * workers are all stuck reports 503 instead of RoadRunner's "some worker is in state ready".
 */
export function createStatusSource(getPool: () => WorkerPool | undefined): StatusSource {
  const starting = { code: 503, message: 'the http pool is starting' };
  return {
    name: 'http',
    health() {
      const pool = getPool();
      if (pool === undefined) return starting;
      const active = pool.workers().some((w) => w.statusStr === 'ready' || w.statusStr === 'working');
      return active ? { code: 200, message: '' } : { code: 503, message: 'no active workers in the http pool' };
    },
    ready() {
      const pool = getPool();
      if (pool === undefined) return starting;
      return pool.isReady() ? { code: 200, message: '' } : { code: 503, message: 'the http pool cannot take a request now' };
    },
  };
}
