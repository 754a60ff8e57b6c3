import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isRrError, type RrError } from '@rr/errors';
import { goridgeErrors } from '@rr/goridge';
import { poolErrors } from '../src/index.js';
import { FIXTURES, PHP, alive, makePool, payload, pids, run, sleep, startPool, tempDir, waitFor } from './helpers.js';

describe('worker crashes', () => {
  test.each(['pipes', 'tcp://127.0.0.1:0'])('kill -9 of an idle worker → replaced (%s)', async (relay) => {
    const { pool, logger } = await startPool({ relay });
    const before = pids(pool);
    process.kill(before[0] as number, 'SIGKILL');
    const after = await waitFor(() => {
      const now = pids(pool);
      return now.length === 2 && !now.includes(before[0] as number) && pool.stats().ready === 2 ? now : undefined;
    }, 5000, 'a replacement');
    expect(after).toContain(before[1]);
    expect(logger.find('warn', 'worker exited unexpectedly')[0]?.fields).toMatchObject({ pid: before[0], signal: 'SIGKILL' });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => run(pool, `ok-${i}`)));
    expect(results).toHaveLength(10);
  });

  test.each(['pipes', 'unix'])('kill -9 of a busy worker → that request WORKER_CRASHED, others fine (%s)', async (relay) => {
    const { pool } = await startPool({ relay: relay === 'unix' ? `unix://${join(tempDir(), 'w.sock')}` : relay });
    const victim = pool.exec(payload('sleep:2000')).catch((e: unknown) => e);
    await waitFor(() => pool.stats().working === 1, 1000, 'a busy worker');
    const busyPid = pool.workers().find((w) => w.statusStr === 'working')?.pid as number;
    const others = Promise.all(Array.from({ length: 5 }, (_, i) => run(pool, `other-${i}`)));
    process.kill(busyPid, 'SIGKILL');
    const err = (await victim) as RrError;
    expect(err).toMatchObject({ code: poolErrors.WORKER_CRASHED.code, details: { pid: busyPid, signal: 'SIGKILL' } });
    expect(err.message).toContain('SIGKILL');
    expect((await others).every((r) => r.pid !== busyPid)).toBe(true);
    await waitFor(() => pool.stats().ready === 2 && !pids(pool).includes(busyPid), 5000, 'a replacement');
  });

  test('a worker that exits while handling a request → WORKER_CRASHED with its exit code, not retried', async () => {
    const dir = tempDir();
    const { pool } = await startPool();
    // `once` proves the request ran exactly once: a retry would answer "once-done".
    const err = await pool.exec(payload(`once:${join(dir, 'ran')}:exit:7`)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: poolErrors.WORKER_CRASHED.code, details: { code: 7 } });
    await waitFor(() => pool.stats().ready === 2, 5000, 'a replacement');
  });

  test('kill -9 under load fails only the requests the killed workers were running', async () => {
    const { pool } = await startPool({ config: { num_workers: 3 } });
    let sent = 0;
    let failed = 0;
    const failures: RrError[] = [];
    let running = true;
    const client = async (): Promise<void> => {
      while (running) {
        sent++;
        try {
          await run(pool, 'sleep:5');
        } catch (err) {
          failed++;
          failures.push(err as RrError);
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);
    const kills = 4;
    for (let i = 0; i < kills; i++) {
      await sleep(150);
      const busy = pool.workers().find((w) => w.statusStr === 'working');
      if (busy !== undefined) process.kill(busy.pid, 'SIGKILL');
    }
    await sleep(300);
    running = false;
    await Promise.all(clients);
    console.info(`kill -9 under load: ${sent} requests sent, ${failed} failed, ${kills} workers killed`);
    expect(failed).toBeLessThanOrEqual(kills);
    for (const err of failures) expect(err.code).toBe(poolErrors.WORKER_CRASHED.code);
    expect(sent).toBeGreaterThan(50);
    await waitFor(() => pool.stats().ready === 3, 5000, 'all workers back');
  });
});

describe('protocol breakage', () => {
  test('stray stdout: logged with the bytes, worker replaced, request retried on another worker', async () => {
    const dir = tempDir();
    const { pool, logger } = await startPool();
    const broken = pool.workers().map((w) => w.pid);
    const r = await run(pool, `once:${join(dir, 'printed')}:stdout:DEBUG var_dump output\n`);
    // The retried request found the marker: the second worker answered it normally.
    expect(r.body).toBe('once-done');
    const [line] = logger.find('error', 'wrote to stdout');
    expect(line?.fields).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code, plugin: 'test' });
    expect(String(line?.fields['output'])).toContain('DEBUG var_dump output');
    expect(String(line?.fields['error'])).toContain('DEBUG var_dump output');
    const printer = line?.fields['pid'] as number;
    expect(broken).toContain(printer);
    expect(r.pid).not.toBe(printer);
    await waitFor(() => !pids(pool).includes(printer) && pool.stats().ready === 2, 5000, 'a replacement');
  });

  test('$worker->stop(): the same request is re-dispatched to another worker, the asking one replaced', async () => {
    const dir = tempDir();
    const { pool } = await startPool();
    const exited: number[] = [];
    pool.events.on('exited', (pid) => exited.push(pid));
    const first = await run(pool, 'pid');
    // LIFO: the worker that just answered gets the next request.
    const r = await run(pool, `once:${join(dir, 'stopped')}:stop`);
    expect(r.body).toBe('once-done');
    expect(r.pid).not.toBe(first.pid);
    await waitFor(() => exited.includes(first.pid), 3000, 'the stopped worker to exit');
    await waitFor(() => pool.stats().ready === 2, 3000, 'a replacement');
  });

  test('a frame from a worker with no request in flight → the worker is replaced', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1 } });
    const r = await run(pool, 'twice');
    expect(r.body).toBe('first');
    await waitFor(() => logger.find('error', 'protocol').length === 1, 2000, 'the protocol error');
    await waitFor(() => pids(pool).length === 1 && !pids(pool).includes(r.pid), 3000, 'a replacement');
    expect((await run(pool, 'after')).pid).not.toBe(r.pid);
  });

  test('a worker ignoring the stop frame is killed after the soft-stop timeout', async () => {
    const { pool, logger } = await startPool({
      config: { num_workers: 1, max_jobs: 1 },
      env: { PATH: process.env['PATH'] ?? '', RR_TEST_LINGER_MS: '10000' },
      softStopTimeout: 300,
    });
    const exits: { pid: number; signal: string | null }[] = [];
    pool.events.on('exited', (pid, exit) => exits.push({ pid, signal: exit.signal }));
    const r = await run(pool, 'one');
    await waitFor(() => exits.some((e) => e.pid === r.pid), 3000, 'the kill');
    expect(exits.find((e) => e.pid === r.pid)?.signal).toBe('SIGKILL');
    expect(logger.find('warn', 'did not stop in time')[0]?.fields).toMatchObject({ pid: r.pid, timeout_ms: 300 });
  });

  test('a worker that always asks to be replaced → RETRIES_EXHAUSTED, not an endless loop', async () => {
    const { pool } = await startPool({ config: { num_workers: 2 } });
    await expect(pool.exec(payload('stop'))).rejects.toMatchObject({ code: poolErrors.RETRIES_EXHAUSTED.code });
  });
});

describe('broken worker scripts', () => {
  test('a missing script: "Could not open input file" logged, start() rejects, no busy loop', async () => {
    const { pool, logger } = makePool({ command: [PHP, join(FIXTURES, 'missing.php')], config: { num_workers: 2 } });
    let spawned = 0;
    pool.events.on('spawned', () => spawned++);
    const err = (await pool.start().catch((e: unknown) => e)) as RrError;
    expect(err).toMatchObject({ code: poolErrors.WORKER_START_FAILED.code, plugin: 'test' });
    expect(isRrError(err.cause, goridgeErrors.FILE_NOT_FOUND.code)).toBe(true);
    expect(err.message).toContain('Could not open input file');
    expect(logger.find('error', 'Could not open input file').length).toBeGreaterThan(0);
    await sleep(300);
    expect(spawned).toBe(2);
    expect(pool.isReady()).toBe(false);
    await expect(pool.exec(payload('x'))).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
  });

  test('a missing script over a socket relay: its output is in the error, the exit fails the boot at once', async () => {
    const { pool, logger } = makePool({ command: [PHP, join(FIXTURES, 'missing.php')], relay: 'tcp://127.0.0.1:0', config: { allocate_timeout: 10_000 } });
    const started = Date.now();
    const err = (await pool.start().catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe(poolErrors.WORKER_START_FAILED.code);
    expect(err.message).toContain('Could not open input file');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(logger.find('info', 'Could not open input file').length).toBeGreaterThan(0);
  });

  test('a command that does not exist → WORKER_START_FAILED', async () => {
    const { pool } = makePool({ command: ['/nonexistent/php'] });
    const err = (await pool.start().catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe(poolErrors.WORKER_START_FAILED.code);
    expect(err.message).toContain('ENOENT');
  });

  test('stdout before the handshake → WORKER_START_FAILED with the printed bytes', async () => {
    const { pool, logger } = makePool({ script: join(FIXTURES, 'stdout-at-boot.php') });
    const err = (await pool.start().catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe(poolErrors.WORKER_START_FAILED.code);
    expect(isRrError(err.cause, goridgeErrors.STRAY_OUTPUT.code)).toBe(true);
    expect(logger.find('error', 'this should have gone to stderr').length).toBeGreaterThan(0);
  });

  test('a worker that never answers the handshake → WORKER_START_FAILED after allocate_timeout', async () => {
    const { pool } = makePool({ command: [PHP, '-r', 'sleep(30);'], config: { num_workers: 1, allocate_timeout: 300 } });
    const err = (await pool.start().catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe(poolErrors.WORKER_START_FAILED.code);
    expect(isRrError(err.cause, goridgeErrors.HANDSHAKE_TIMEOUT.code)).toBe(true);
  });

  test('workers dying at boot after start: backoff, fatal after N failures, ready again once fixed', async () => {
    const flag = join(tempDir(), 'broken');
    const fatal: RrError[] = [];
    const { pool, logger } = await startPool({
      config: { num_workers: 1 },
      env: { PATH: process.env['PATH'] ?? '', RR_TEST_FAIL_BOOT_IF: flag },
      fatalAfter: 3,
      onFatal: (err) => fatal.push(err),
    });
    const events: RrError[] = [];
    pool.events.on('fatal', (err) => events.push(err));
    let spawned = 0;
    pool.events.on('spawned', () => spawned++);
    const [pid] = pids(pool);
    writeFileSync(flag, '');
    process.kill(pid as number, 'SIGKILL');
    await waitFor(() => !alive(pid as number) && !pool.isReady(), 3000, 'the pool to lose its only worker');
    await waitFor(() => fatal.length === 1, 5000, 'the fatal report');
    expect(fatal[0]).toMatchObject({ code: poolErrors.WORKER_START_FAILED.code, details: { failures: 3 } });
    expect(events).toEqual(fatal);
    // The kill itself counts: a worker dying within a second of its handshake, before any request, failed to boot.
    expect(logger.find('info', 'boot refused').length).toBeGreaterThanOrEqual(2);
    expect(pool.isReady()).toBe(false);
    // Backoff 100, 200, 400 ms…: far from a spin.
    const before = spawned;
    await sleep(700);
    expect(spawned - before).toBeLessThanOrEqual(2);
    rmSync(flag);
    await waitFor(() => pool.isReady(), 8000, 'a worker to boot again');
    expect((await run(pool, 'back')).body).toBe('back');
  });
});
