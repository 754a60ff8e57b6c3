import { describe, expect, test } from 'vitest';
import { WorkerStatus, poolErrors } from '../src/index.js';
import { alive, payload, pids, run, sleep, startPool, waitFor } from './helpers.js';

const supervisor = (overrides: { ttl?: number; idle_ttl?: number; max_worker_memory?: number; exec_ttl?: number } = {}) => ({
  watch_tick: 100,
  ttl: 0,
  idle_ttl: 0,
  max_worker_memory: 0,
  exec_ttl: 0,
  ...overrides,
});

describe('max_jobs', () => {
  test('a worker is replaced after max_jobs requests, and no request fails', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, max_jobs: 3 } });
    const served: number[] = [];
    for (let i = 0; i < 9; i++) served.push((await run(pool, `job-${i}`)).pid);
    expect(new Set(served.slice(0, 3)).size).toBe(1);
    expect(new Set(served.slice(3, 6)).size).toBe(1);
    expect(new Set(served.slice(6, 9)).size).toBe(1);
    expect(new Set([served[0], served[3], served[6]]).size).toBe(3);
  });

  test('under concurrency too', async () => {
    const { pool } = await startPool({ config: { num_workers: 2, max_jobs: 2 } });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => run(pool, `sleep:5:${i}`)));
    expect(results).toHaveLength(20);
    expect(new Set(results.map((r) => r.pid)).size).toBeGreaterThanOrEqual(10);
  });
});

describe('exec_ttl (hard)', () => {
  test('a request running past exec_ttl fails with EXEC_TTL; the worker is killed and replaced', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1, supervisor: supervisor({ exec_ttl: 300 }) } });
    const [pid] = pids(pool);
    const started = Date.now();
    const err = await pool.exec(payload('sleep:5000')).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ code: poolErrors.EXEC_TTL.code, details: { pid, execTtlMs: 300 } });
    // Fired by the request's own timer: well before the 5 s request would have ended.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3000);
    expect(logger.find('warn', 'exec_ttl')).toHaveLength(1);
    const next = await run(pool, 'next');
    expect(next.pid).not.toBe(pid);
    await waitFor(() => !alive(pid as number), 2000, 'the killed worker to be gone');
  });

  test('fast requests are not affected', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, supervisor: supervisor({ exec_ttl: 500 }) } });
    const first = await run(pool, 'sleep:10');
    for (let i = 0; i < 5; i++) expect((await run(pool, 'sleep:10')).pid).toBe(first.pid);
    expect(pool.isReady()).toBe(true);
  });
});

describe('soft limits', () => {
  test('max_worker_memory: a busy worker finishes its request, then is replaced', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1, supervisor: supervisor({ max_worker_memory: 40 }) } });
    // 64 MB held while the request keeps running for 800 ms: the supervisor sees it over the limit mid-request.
    const r = await run(pool, 'alloc:64:800');
    expect(r.body).toBe('alloc:64:800');
    const line = logger.find('info', 'busy worker reached a supervisor limit')[0];
    expect(line?.fields).toMatchObject({ pid: r.pid, reason: 'maxMemoryReached' });
    const next = await run(pool, 'next');
    expect(next.pid).not.toBe(r.pid);
  });

  test('max_worker_memory: an idle worker over the limit is replaced at once', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1, supervisor: supervisor({ max_worker_memory: 40 }) } });
    const r = await run(pool, 'alloc:64');
    await waitFor(() => logger.find('info', 'worker reached a supervisor limit, replacing it').length > 0, 2000, 'the supervisor');
    await waitFor(() => pids(pool).length === 1 && !pids(pool).includes(r.pid) && pool.stats().ready === 1, 3000, 'a replacement');
  });

  test('ttl: idle workers are replaced; a busy one only after its response', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, supervisor: supervisor({ ttl: 400 }) } });
    const slow = await run(pool, 'sleep:800');
    // The worker outlived its ttl while busy: the request still succeeded.
    expect(slow.body).toBe('sleep:800');
    const after = await run(pool, 'after');
    expect(after.pid).not.toBe(slow.pid);
    // Idle, the new worker is retired once it is 400 ms old.
    await waitFor(() => pids(pool)[0] !== after.pid && pool.stats().ready === 1, 3000, 'the ttl replacement');
  });

  test('idle_ttl: a worker idle that long after its last request is replaced', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1, supervisor: supervisor({ idle_ttl: 300 }) } });
    const unused = pids(pool)[0];
    await sleep(500);
    // Never used: idle_ttl counts from the first request, as in RoadRunner.
    expect(pids(pool)).toEqual([unused]);
    const r = await run(pool, 'used');
    await waitFor(() => pids(pool).length === 1 && pids(pool)[0] !== r.pid, 3000, 'the idle_ttl replacement');
    expect(logger.find('info', 'idleTTLReached').length).toBeGreaterThan(0);
  });

  test('a retired worker shows its reason while it stops', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, max_jobs: 1 } });
    const states: number[] = [];
    pool.events.on('state', (_pid, status) => states.push(status));
    await run(pool, 'one');
    await waitFor(() => states.includes(WorkerStatus.stopped), 3000, 'the retired worker to stop');
    expect(states).toContain(WorkerStatus.maxJobsReached);
  });
});
