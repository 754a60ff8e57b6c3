import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RrError } from '@rr/errors';
import { poolErrors, type Pool } from '../src/index.js';
import { payload, pids, run, sleep, startPool, tempDir, waitFor } from './helpers.js';

/** Keeps `concurrency` clients sending requests until stopped; counts what was sent and what failed. */
function load(pool: Pool, concurrency: number, body: string): { stop: () => Promise<{ sent: number; failed: RrError[]; pids: Set<number> }> } {
  let running = true;
  let sent = 0;
  const failed: RrError[] = [];
  const served = new Set<number>();
  const clients = Array.from({ length: concurrency }, async () => {
    while (running) {
      sent++;
      try {
        served.add((await run(pool, body)).pid);
      } catch (err) {
        failed.push(err as RrError);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      return { sent, failed, pids: served };
    },
  };
}

describe('rolling reset', () => {
  test('under continuous load: zero failures and every worker replaced', async () => {
    const { pool } = await startPool({ config: { num_workers: 2 } });
    const before = pids(pool);
    const traffic = load(pool, 4, 'sleep:10');
    await sleep(100);
    // Three resets back to back: the third replaces workers the previous ones started.
    const generations = [before];
    for (let i = 0; i < 3; i++) {
      await pool.reset();
      generations.push(pids(pool));
    }
    const after = pids(pool);
    await sleep(100);
    const { sent, failed, pids: served } = await traffic.stop();
    console.info(`rolling reset under load: ${sent} requests sent, ${failed.length} failed`);
    expect(failed).toEqual([]);
    expect(sent).toBeGreaterThan(20);
    expect(after).toHaveLength(2);
    expect(new Set(generations.flat()).size).toBe(8);
    // Old and new workers both served requests while the reset ran.
    expect(before.some((pid) => served.has(pid))).toBe(true);
    expect(after.some((pid) => served.has(pid))).toBe(true);
    expect(pool.stats()).toMatchObject({ total: 2, invalid: 0 });
  });

  test('a busy old worker is never interrupted: it finishes, then leaves', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const [old] = pids(pool);
    const slow = run(pool, 'sleep:600');
    await waitFor(() => pool.stats().working === 1, 1000, 'a busy worker');
    const reset = pool.reset();
    // A second reset() while one runs joins it.
    expect(pool.reset()).toBe(reset);
    // New requests go to the new worker while the old one is still busy.
    const during = await run(pool, 'during');
    expect(during.pid).not.toBe(old);
    expect((await slow).pid).toBe(old);
    await reset;
    expect(pids(pool)).toEqual([during.pid]);
  });

  test('reset_timeout: an old worker still busy when it ends is killed', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1, reset_timeout: 300 } });
    const slow = pool.exec(payload('sleep:5000')).catch((e: unknown) => e);
    await waitFor(() => pool.stats().working === 1, 1000, 'a busy worker');
    const started = Date.now();
    await pool.reset();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await slow).toMatchObject({ code: poolErrors.KILLED.code });
    expect(logger.find('warn', 'reset_timeout')).toHaveLength(1);
  });

  test('a new worker failing to start aborts the reset; the old workers keep serving', async () => {
    const flag = join(tempDir(), 'broken');
    const { pool } = await startPool({ config: { num_workers: 2 }, env: { PATH: process.env['PATH'] ?? '', RR_TEST_FAIL_BOOT_IF: flag } });
    const before = pids(pool);
    writeFileSync(flag, '');
    await expect(pool.reset()).rejects.toMatchObject({ code: poolErrors.WORKER_START_FAILED.code });
    expect(pids(pool)).toEqual(before);
    expect(before).toContain((await run(pool, 'still-served')).pid);
  });

  test('dynamic extras are retired by a reset, not replaced', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, dynamic_allocator: { max_workers: 1, spawn_rate: 1, idle_timeout: 60_000 } } });
    await Promise.all([run(pool, 'sleep:300'), run(pool, 'sleep:300')]);
    await waitFor(() => pool.stats().total === 2 && pool.stats().ready === 2, 2000, 'the extra worker');
    await pool.reset();
    expect(pool.stats()).toMatchObject({ total: 1, ready: 1 });
  });
});

describe('destroy', () => {
  test('in-flight requests complete; new and waiting ones get STOPPED; idempotent', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const inFlight = run(pool, 'sleep:300');
    await waitFor(() => pool.stats().working === 1, 1000, 'a busy worker');
    const waiting = pool.exec(payload('waiting'));
    const destroyed = pool.destroy();
    expect(pool.destroy()).toBe(destroyed);
    await expect(waiting).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
    await expect(pool.exec(payload('late'))).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
    expect((await inFlight).body).toBe('sleep:300');
    await destroyed;
    expect(pool.workers()).toEqual([]);
    expect(pool.isReady()).toBe(false);
    await expect(pool.reset()).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
    await expect(pool.addWorker()).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
    expect(await pool.removeWorker()).toBe(false);
  });

  test('a request still running at destroy_timeout is killed', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, destroy_timeout: 300 } });
    const stuck = pool.exec(payload('sleep:5000')).catch((e: unknown) => e);
    await waitFor(() => pool.stats().working === 1, 1000, 'a busy worker');
    const started = Date.now();
    await pool.destroy();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await stuck).toMatchObject({ code: poolErrors.KILLED.code });
  });

  test('socket relays: the listener is closed', async () => {
    const { pool } = await startPool({ relay: 'tcp://127.0.0.1:0', config: { num_workers: 1 } });
    await run(pool, 'x');
    await pool.destroy();
    expect(pool.workers()).toEqual([]);
  });
});

describe('debug mode', () => {
  test('no pre-spawn; a fresh worker per request, stopped after it', async () => {
    const { pool } = await startPool({ config: { debug: true, num_workers: 4 } });
    expect(pool.workers()).toEqual([]);
    expect(pool.isReady()).toBe(true);
    const a = await run(pool, 'one');
    const b = await run(pool, 'two');
    expect(a.pid).not.toBe(b.pid);
    const parallel = await Promise.all([run(pool, 'p1'), run(pool, 'p2'), run(pool, 'p3')]);
    expect(new Set(parallel.map((r) => r.pid)).size).toBe(3);
    await waitFor(() => pool.workers().length === 0, 3000, 'debug workers to exit');
    await expect(pool.addWorker()).rejects.toMatchObject({ code: poolErrors.DEBUG_MODE.code });
    expect(await pool.removeWorker()).toBe(false);
    await pool.reset();
  });

  test('a debug worker that asks to be replaced: the request runs on another fresh worker', async () => {
    const dir = tempDir();
    const { pool } = await startPool({ config: { debug: true } });
    expect((await run(pool, `once:${join(dir, 'm')}:stop`)).body).toBe('once-done');
  });
});

describe('scaling', () => {
  test('dynamic allocator: extra workers under load, removed after idle_timeout', async () => {
    const { pool, logger } = await startPool({
      config: {
        num_workers: 1,
        dynamic_allocator: { max_workers: 2, spawn_rate: 2, idle_timeout: 400 },
        supervisor: { watch_tick: 100, ttl: 0, idle_ttl: 0, max_worker_memory: 0, exec_ttl: 0 },
      },
    });
    const results = await Promise.all(Array.from({ length: 6 }, () => run(pool, 'sleep:300')));
    expect(results).toHaveLength(6);
    expect(new Set(results.map((r) => r.pid)).size).toBeGreaterThan(1);
    expect(logger.find('debug', 'spawning extra workers')).toHaveLength(1);
    expect(pool.stats().total).toBe(3);
    await waitFor(() => pool.stats().total === 1, 3000, 'the extra workers to be removed');
    expect((await run(pool, 'after')).body).toBe('after');
  });

  test('addWorker() and removeWorker(), never below one worker', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    await pool.addWorker();
    expect(pool.stats()).toMatchObject({ total: 2, ready: 2 });
    expect(await pool.removeWorker()).toBe(true);
    expect(pool.stats().total).toBe(1);
    expect(await pool.removeWorker()).toBe(false);
    // Removed workers are not replaced.
    await sleep(200);
    expect(pool.stats().total).toBe(1);
  });

  test('removeWorker() with every worker busy retires one after its request', async () => {
    const { pool } = await startPool({ config: { num_workers: 2 } });
    const busy = [run(pool, 'sleep:300'), run(pool, 'sleep:300')];
    await waitFor(() => pool.stats().working === 2, 1000, 'two busy workers');
    expect(await pool.removeWorker()).toBe(true);
    await Promise.all(busy);
    await waitFor(() => pool.stats().total === 1, 3000, 'one worker left');
  });

  test('isReady() is false while every worker is dead and true again once replaced', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    expect(pool.isReady()).toBe(true);
    const [pid] = pids(pool);
    process.kill(pid as number, 'SIGKILL');
    await waitFor(() => !pool.isReady(), 2000, 'the pool to notice');
    await waitFor(() => pool.isReady(), 5000, 'the replacement');
    expect((await run(pool, 'x')).pid).not.toBe(pid);
  });
});
