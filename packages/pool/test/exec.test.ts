import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CODEC_JSON, CODEC_RAW } from '@rr/goridge';
import { WorkerStatus, createPool, poolErrors } from '../src/index.js';
import { ECHO_WORKER, PHP, config, makePool, payload, recordingLogger, run, sleep, startPool, tempDir, waitFor } from './helpers.js';

describe('exec round trip', () => {
  test.each([
    ['pipes', () => 'pipes'],
    ['tcp', () => 'tcp://127.0.0.1:0'],
    ['unix', () => `unix://${join(tempDir(), 'rr.sock')}`],
  ])('echoes context, body and codec over %s', async (_name, relay) => {
    const { pool } = await startPool({ script: ECHO_WORKER, relay: relay() });
    const result = await pool.exec({ context: Buffer.from('{"a":1}'), body: Buffer.from('hello'), codec: CODEC_RAW });
    expect(result.context.toString()).toBe('{"a":1}');
    expect(result.body.toString()).toBe('hello');
    // The echo worker answers without a codec; byte 1 of its frame comes back as is.
    expect(result.codec).toBe(0);
    expect(result.stream).toBeUndefined();
    // Large payloads cross several pipe/socket chunks.
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    const echoed = await pool.exec({ context: Buffer.alloc(0), body: big, codec: CODEC_JSON });
    expect(echoed.body.equals(big)).toBe(true);
  });

  test('socket workers get the listener address and a wildcard host is reached over loopback', async () => {
    const { pool } = await startPool({ relay: 'tcp://0.0.0.0:0', config: { num_workers: 1 } });
    expect((await run(pool, 'x')).body).toBe('x');
  });

  test('a body-only request and a context-only request both reach the worker', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const ctxOnly = await pool.exec({ context: Buffer.from('only-context'), body: Buffer.alloc(0), codec: 0 });
    expect(ctxOnly.body.toString()).toBe('');
    expect((await run(pool, 'ctx')).body).toBe('ctx');
  });
});

describe('dispatch', () => {
  test('2 workers answer 50 parallel requests', async () => {
    const { pool } = await startPool();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(pool, `sleep:5:${i}`)));
    expect(results.map((r) => r.body)).toEqual(Array.from({ length: 50 }, (_, i) => `sleep:5:${i}`));
    expect(new Set(results.map((r) => r.pid)).size).toBe(2);
    expect(pool.stats()).toMatchObject({ queued: 0, total: 2, ready: 2, working: 0 });
  });

  test('a request waits for a busy worker, FIFO', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const order: string[] = [];
    const first = run(pool, 'sleep:200').then((r) => order.push(r.body));
    const second = run(pool, 'second').then((r) => order.push(r.body));
    const third = run(pool, 'third').then((r) => order.push(r.body));
    await waitFor(() => pool.stats().queued === 2, 1000, 'two queued requests');
    expect(pool.stats()).toMatchObject({ queued: 2, working: 1, ready: 0 });
    await Promise.all([first, second, third]);
    expect(order).toEqual(['sleep:200', 'second', 'third']);
  });

  test('no free worker within allocate_timeout → NO_FREE_WORKERS', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, allocate_timeout: 300 } });
    const slow = run(pool, 'sleep:1000');
    const started = Date.now();
    await expect(pool.exec(payload('waits'))).rejects.toMatchObject({ code: poolErrors.NO_FREE_WORKERS.code, plugin: 'test' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(pool.stats().queued).toBe(0);
    expect((await slow).body).toBe('sleep:1000');
  });

  test('max_queue_size requests already waiting → QUEUE_FULL at once', async () => {
    const { pool } = await startPool({ config: { num_workers: 1, max_queue_size: 1 } });
    const busy = run(pool, 'sleep:300');
    const waiting = run(pool, 'queued');
    const started = Date.now();
    await expect(pool.exec(payload('rejected'))).rejects.toMatchObject({ code: poolErrors.QUEUE_FULL.code });
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await busy).body).toBe('sleep:300');
    expect((await waiting).body).toBe('queued');
  });

  test('an aborted signal cancels a waiting request', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const busy = run(pool, 'sleep:300');
    const controller = new AbortController();
    const waiting = pool.exec(payload('never'), { signal: controller.signal });
    await waitFor(() => pool.stats().queued === 1, 1000, 'a queued request');
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: poolErrors.ABORTED.code });
    expect(pool.stats().queued).toBe(0);
    await expect(pool.exec(payload('x'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: poolErrors.ABORTED.code });
    expect((await busy).body).toBe('sleep:300');
  });

  test('requests sent before start() completes are served once workers are up', async () => {
    const { pool } = makePool({ config: { num_workers: 1 } });
    const early = run(pool, 'early');
    await pool.start();
    expect((await early).body).toBe('early');
    expect(pool.start()).toBe(pool.start());
  });

  test('invalid payloads are refused', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    await expect(pool.exec(payload(''))).rejects.toMatchObject({ code: poolErrors.INVALID_PAYLOAD.code });
    await expect(pool.exec({ context: Buffer.alloc(0), body: Buffer.from('x'), codec: 300 })).rejects.toMatchObject({
      code: poolErrors.INVALID_PAYLOAD.code,
    });
  });
});

describe('worker answers', () => {
  test('an ERROR frame → WORKER_ERROR and the same worker serves the next request', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const { pid } = await run(pool, 'pid');
    const err = await pool.exec(payload('error:database is down')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: poolErrors.WORKER_ERROR.code, details: { pid, error: 'database is down' } });
    expect((await run(pool, 'again')).pid).toBe(pid);
    expect(pool.workers()[0]).toMatchObject({ pid, numExecs: 3, statusStr: 'ready' });
  });

  test('a response without exactly one option → BAD_RESPONSE, the worker is replaced', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1 } });
    const { pid } = await run(pool, 'pid');
    await expect(pool.exec(payload('badframe'))).rejects.toMatchObject({ code: poolErrors.BAD_RESPONSE.code, details: { pid } });
    expect(logger.find('error', 'protocol')).toHaveLength(1);
    const next = await run(pool, 'next');
    expect(next.pid).not.toBe(pid);
  });
});

describe('output and introspection', () => {
  test('stderr is logged at info, one call per line, partial lines flushed at exit', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1 } });
    const { pid } = await run(pool, 'stderr:first line\\nsecond line\\r\\n\\nunterminated');
    await expect(pool.exec(payload('exit:0'))).rejects.toMatchObject({ code: poolErrors.WORKER_CRASHED.code });
    await waitFor(() => logger.find('info', 'unterminated').length > 0, 2000, 'the partial line');
    const lines = logger.lines.filter((l) => l.level === 'info' && l.fields['pid'] === pid).map((l) => l.message);
    expect(lines).toEqual(['first line', 'second line', 'unterminated']);
    expect(logger.find('info', 'first line')[0]?.fields).toEqual({ pid, plugin: 'test' });
  });

  test('a runaway line without a newline is logged in 64 KiB pieces', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1 } });
    const { pid } = await run(pool, `stderr:${'y'.repeat(70_000)}\\n`);
    await waitFor(() => logger.lines.filter((l) => l.level === 'info' && l.fields['pid'] === pid).length === 2, 2000, 'two pieces');
    const pieces = logger.lines.filter((l) => l.level === 'info' && l.fields['pid'] === pid).map((l) => l.message.length);
    expect(pieces).toEqual([64 * 1024, 70_000 - 64 * 1024]);
  });

  test('on socket relays stdout is free: it is logged, not a protocol error', async () => {
    const { pool, logger } = await startPool({ relay: 'tcp://127.0.0.1:0', config: { num_workers: 1 } });
    const r = await run(pool, 'stdout:hello from stdout\n');
    expect(r.body).toBe('stdout:hello from stdout\n');
    await waitFor(() => logger.find('info', 'hello from stdout').length > 0, 2000, 'the stdout line');
    expect((await run(pool, 'again')).pid).toBe(r.pid);
  });

  test('workers() reports RoadRunner process states', async () => {
    const { pool } = await startPool();
    await run(pool, 'sleep:1');
    const busy = run(pool, 'sleep:300');
    await waitFor(() => pool.stats().working === 1, 1000, 'a busy worker');
    const states = pool.workers();
    expect(states).toHaveLength(2);
    for (const s of states) {
      expect(s).toEqual({
        pid: expect.any(Number),
        status: expect.any(Number),
        statusStr: expect.any(String),
        numExecs: expect.any(Number),
        created: expect.any(Number),
        memoryUsage: expect.any(Number),
        CPUPercent: expect.any(Number),
        command: `${PHP} ${join(import.meta.dirname, 'fixtures', 'worker.php')}`,
      });
      expect(s.memoryUsage).toBeGreaterThan(1024 * 1024);
      expect(Math.abs(s.created / 1e6 - Date.now())).toBeLessThan(10_000);
    }
    expect(states.map((s) => s.statusStr).sort()).toEqual(['ready', 'working']);
    expect(states.find((s) => s.statusStr === 'working')?.status).toBe(WorkerStatus.working);
    expect(pool.stats()).toEqual({ queued: 0, total: 2, ready: 1, working: 1, invalid: 0 });
    expect(pool.isReady()).toBe(true);
    await busy;
  });

  test('events report spawns, readiness, state changes, execs and exits', async () => {
    const { pool } = makePool({ config: { num_workers: 1 } });
    const seen: string[] = [];
    pool.events.on('spawned', () => seen.push('spawned'));
    pool.events.on('ready', () => seen.push('ready'));
    pool.events.on('state', (_pid, status) => seen.push(`state:${status}`));
    pool.events.on('exec', (_pid, ms, err) => seen.push(`exec:${ms >= 0}:${err === undefined}`));
    pool.events.on('exited', (_pid, exit) => seen.push(`exited:${exit.code}`));
    await pool.start();
    await run(pool, 'x');
    await pool.exec(payload('error:x')).catch(() => undefined);
    await pool.destroy();
    expect(seen).toEqual([
      'spawned',
      `state:${WorkerStatus.ready}`,
      'ready',
      `state:${WorkerStatus.working}`,
      `state:${WorkerStatus.ready}`,
      'exec:true:true',
      `state:${WorkerStatus.working}`,
      `state:${WorkerStatus.ready}`,
      'exec:true:false',
      `state:${WorkerStatus.stopping}`,
      `state:${WorkerStatus.stopped}`,
      'exited:0',
    ]);
  });
});

describe('configuration', () => {
  test('bad settings are refused with INVALID_CONFIG', () => {
    const base = { name: 'test', command: [PHP, ECHO_WORKER], env: {}, relay: 'pipes', logger: recordingLogger() };
    const code = poolErrors.INVALID_CONFIG.code;
    expect(() => createPool({ ...base, config: config({ num_workers: 501 }) })).toThrow(expect.objectContaining({ code }));
    expect(() => createPool({ ...base, command: [], config: config() })).toThrow(expect.objectContaining({ code }));
    expect(() => createPool({ ...base, relay: 'udp://x', config: config() })).toThrow(expect.objectContaining({ code }));
    expect(() => createPool({ ...base, config: config({ allocate_timeout: -1 }) })).toThrow(expect.objectContaining({ code }));
    expect(() =>
      createPool({ ...base, config: config({ dynamic_allocator: { max_workers: 2048, spawn_rate: 1, idle_timeout: 1000 } }) }),
    ).toThrow(expect.objectContaining({ code }));
    // 0 means "RoadRunner's default": one worker per CPU, 60 s timeouts.
    expect(() => createPool({ ...base, config: config({ num_workers: 0, allocate_timeout: 0 }) })).not.toThrow();
  });

  test('a relay address in use → LISTEN_FAILED from start()', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { pool } = makePool({ relay: `tcp://127.0.0.1:${port}` });
      await expect(pool.start()).rejects.toMatchObject({ code: poolErrors.LISTEN_FAILED.code });
      await expect(pool.exec(payload('x'))).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
    } finally {
      blocker.close();
    }
  });

  test('destroy() before start() is harmless', async () => {
    const { pool } = makePool();
    await pool.destroy();
    await expect(pool.start()).rejects.toMatchObject({ code: poolErrors.STOPPED.code });
    expect(pool.isReady()).toBe(false);
    await sleep(0);
  });
});
