import { describe, expect, test } from 'vitest';
import type { RrError } from '@rr/errors';
import { STREAM_HIGH_WATER, poolErrors, type ExecResult } from '../src/index.js';
import { payload, pids, run, sleep, startPool, waitFor } from './helpers.js';

async function collect(result: ExecResult): Promise<string[]> {
  const bodies = [result.body.toString()];
  for await (const chunk of result.stream ?? []) bodies.push(chunk.body.toString());
  return bodies;
}

describe.each(['pipes', 'tcp://127.0.0.1:0'])('streaming over %s', (relay) => {
  test('chunks arrive in order and PINGs are answered with PONGs', async () => {
    const { pool } = await startPool({ relay, config: { num_workers: 1 } });
    const result = await pool.exec(payload('stream:22:5'));
    expect(result.stream).toBeDefined();
    const bodies = await collect(result);
    expect(bodies.slice(0, 22)).toEqual(Array.from({ length: 22 }, (_, i) => `chunk-${i + 1}`));
    // The SDK pings on chunk 6, then on the next multiple of 5 once the PONG arrived: without PONGs it would
    // ping exactly once.
    expect(Number(/^end:pings=(\d+)$/.exec(bodies[22] ?? '')?.[1])).toBeGreaterThanOrEqual(2);
    expect(bodies).toHaveLength(23);
    expect(pool.stats()).toMatchObject({ ready: 1, working: 0 });
  });

  test('breaking out early sends STOP; the worker ends the stream and serves the next request', async () => {
    const { pool, logger } = await startPool({ relay, config: { num_workers: 1 } });
    const result = await pool.exec(payload('stream:200:5'));
    const pid = Number(result.context.toString());
    let n = 0;
    for await (const chunk of result.stream ?? []) {
      expect(chunk.body.toString()).toBe(`chunk-${n + 2}`);
      if (++n === 3) break;
    }
    // The worker is still draining: the next request waits for it instead of getting it mid-stream.
    const next = await run(pool, 'after-stream');
    expect(next.pid).toBe(pid);
    const [line] = logger.find('info', 'stream stopped after');
    expect(Number(/after (\d+) chunks/.exec(line?.message ?? '')?.[1])).toBeLessThan(200);
  });
});

describe('stream faults', () => {
  test('aborting the signal mid-stream rejects the pending read with ABORTED and stops the stream', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const controller = new AbortController();
    const result = await pool.exec(payload('stream:200:20'), { signal: controller.signal });
    const iterator = (result.stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    await iterator.next();
    const pending = iterator.next();
    controller.abort();
    // The pending read either got a chunk that was already on its way or the abort.
    const outcome = await pending.then(
      () => 'chunk',
      (e: RrError) => e.code,
    );
    expect(['chunk', poolErrors.ABORTED.code]).toContain(outcome);
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect((await run(pool, 'after')).pid).toBe(Number(result.context.toString()));
  });

  test('an ERROR frame mid-stream ends the iteration with WORKER_ERROR; the worker stays', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const result = await pool.exec(payload('stream-error:3'));
    const seen: string[] = [];
    const err = await (async () => {
      for await (const chunk of result.stream ?? []) seen.push(chunk.body.toString());
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['chunk-2', 'chunk-3']);
    expect(err).toMatchObject({ code: poolErrors.WORKER_ERROR.code, details: { error: 'failed mid-stream' } });
    expect((await run(pool, 'after')).pid).toBe(Number(result.context.toString()));
  });

  test('a worker killed mid-stream fails the iteration with WORKER_CRASHED after the chunks received', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const result = await pool.exec(payload('stream:100:20'));
    const pid = Number(result.context.toString());
    const iterator = (result.stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    await iterator.next();
    process.kill(pid, 'SIGKILL');
    let err: unknown;
    for (;;) {
      try {
        if ((await iterator.next()).done === true) break;
      } catch (e) {
        err = e;
        break;
      }
    }
    expect(err).toMatchObject({ code: poolErrors.WORKER_CRASHED.code });
    expect((await run(pool, 'after')).pid).not.toBe(pid);
  });

  test('exec_ttl bounds the wait for each chunk', async () => {
    const { pool } = await startPool({
      config: { num_workers: 1, supervisor: { watch_tick: 100, ttl: 0, idle_ttl: 0, max_worker_memory: 0, exec_ttl: 300 } },
    });
    // 10 chunks 100 ms apart: 1 s in total, yet no single wait reaches exec_ttl.
    expect(await collect(await pool.exec(payload('stream:10:100')))).toHaveLength(11);
    const stalled = await pool.exec(payload('stream:3:1000'));
    await expect(collect(stalled)).rejects.toMatchObject({ code: poolErrors.EXEC_TTL.code });
  });

  test('a worker that does not end a cancelled stream within stream_timeout is killed', async () => {
    const { pool, logger } = await startPool({ config: { num_workers: 1, stream_timeout: 300 } });
    // One chunk per second: the STOP is seen only after the next chunk, too late.
    const result = await pool.exec(payload('stream:5:1000'));
    const pid = Number(result.context.toString());
    await result.stream?.[Symbol.asyncIterator]().return?.();
    await waitFor(() => logger.find('warn', 'stream_timeout').length > 0, 2000, 'the drain timeout');
    expect((await run(pool, 'after')).pid).not.toBe(pid);
    expect(pids(pool)).not.toContain(pid);
  });

  test('a slow consumer pauses the worker (backpressure) and still gets every chunk in order', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const total = STREAM_HIGH_WATER * 3;
    const result = await pool.exec(payload(`stream:${total}`));
    // Let the worker run ahead: it fills the buffer up to the high-water mark and is paused there.
    await sleep(300);
    expect(pool.stats().working).toBe(1);
    const bodies = await collect(result);
    expect(bodies.slice(0, total)).toEqual(Array.from({ length: total }, (_, i) => `chunk-${i + 1}`));
    expect(bodies[total]).toMatch(/^end:/);
  });

  test('next() while another next() is pending is refused', async () => {
    const { pool } = await startPool({ config: { num_workers: 1 } });
    const result = await pool.exec(payload('stream:3:200'));
    const iterator = (result.stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    const first = iterator.next();
    await expect(iterator.next()).rejects.toThrow(TypeError);
    await first;
    await iterator.throw?.(new Error('consumer failed'));
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });
});
