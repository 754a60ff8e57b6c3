import type { DeliveredJob } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { message, Names, openPipeline, TcpProxy, timed, until } from './helpers.js';

const fast = { firstBackoffMs: 50, maxBackoffMs: 200 };

describe('amqp broker going away and coming back (through a TCP proxy)', () => {
  const names = new Names();
  const proxies: TcpProxy[] = [];
  afterAll(async () => {
    for (const p of proxies) await p.close();
    await names.cleanup();
  });
  const proxy = async () => {
    const p = await new TcpProxy().start();
    proxies.push(p);
    return p;
  };

  it('loses no job when the line is cut mid-consume: pushes fail fast during the cut, consuming resumes after it', async () => {
    const line = await proxy();
    const cfg = names.next();
    let holding = true;
    const held: DeliveredJob[] = [];
    const opened = await openPipeline(cfg, {
      addr: line.addr,
      prefetch: 5,
      timings: fast,
      deliver: (job) => {
        if (holding) held.push(job);
        else void job.ack();
      },
    });
    const { pipeline, jobs, logger } = opened;
    try {
      const before = Array.from({ length: 20 }, () => message());
      await pipeline.push(before);
      await pipeline.resume();
      // Ack a few, then hold prefetch-many unsettled when the line goes.
      await until(() => held.length >= 5, 5000, 'five deliveries');
      await Promise.all(held.splice(0, 3).map((j) => j.ack()));
      await until(() => held.length >= 5, 5000, 'prefetch-many in flight');

      line.cut();
      await until(() => logger.find('amqp connection lost', 'warn').length > 0, 3000, 'the loss is noticed');
      // Settling deliveries of the dead channel does nothing and never throws: the broker has them back.
      await Promise.all(held.splice(0).map((j, i) => (i % 2 === 0 ? j.ack() : j.requeue({ delayMs: 100 }))));
      for (const call of [() => pipeline.push([message()]), () => pipeline.stat()]) {
        const { ms, error } = await timed(call());
        expect(isRrError(error, 'RR_ERR_AMQP_UNAVAILABLE')).toBe(true);
        expect(ms).toBeLessThan(100);
        expect((error as RrError).message).toContain(`127.0.0.1:${line.port}`);
        expect((error as RrError).message).not.toContain('guest:guest');
      }
      expect((await pipeline.stat().catch((e: RrError) => e.hint)) as string).toMatch(/reconnects in the background/);

      holding = false;
      line.restore();
      await until(() => logger.find('amqp connection restored', 'info').length > 0, 5000, 'reconnected');
      const after = Array.from({ length: 10 }, () => message());
      await pipeline.push(after);
      const wanted = new Set([...before, ...after].map((m) => m.id));
      await until(() => [...wanted].every((id) => jobs.some((j) => j.id === id)), 10_000, 'every pushed id delivered at least once');
      await until(async () => {
        const s = await pipeline.stat();
        return s.active + s.reserved === 0;
      }, 5000, 'the queue drained');
      expect(logger.find('amqp connection lost')).toHaveLength(1);
    } finally {
      await pipeline.destroy(AbortSignal.timeout(2000));
    }
  });

  it('gives up after redial_timeout, and the next call tries again', async () => {
    const line = await proxy();
    const cfg = names.next();
    const { pipeline, logger } = await openPipeline({ ...cfg, redial_timeout: '300ms' }, { addr: line.addr, timings: fast });
    try {
      line.cut();
      await until(() => logger.find('amqp reconnection gave up', 'error').length > 0, 3000, 'reconnection gives up');
      const error = (await pipeline.push([message()]).catch((e: unknown) => e)) as RrError;
      expect(error.code).toBe('RR_ERR_AMQP_UNAVAILABLE');
      expect(error.message).toContain('gave up');
      expect(error.message).not.toMatch(/unavailable.*unavailable/);
      line.restore();
      await until(async () => (await pipeline.push([message()]).then(() => true, () => false)), 3000, 'pushes work again');
      expect((await pipeline.stat()).active).toBe(1);
    } finally {
      await pipeline.destroy(AbortSignal.timeout(2000));
    }
  });

  it('fails open fast with the coded error when the broker cannot be reached', async () => {
    const line = await proxy();
    line.cut();
    const { ms, error } = await timed(openPipeline(names.next(), { addr: line.addr }));
    expect(isRrError(error, 'RR_ERR_AMQP_UNAVAILABLE')).toBe(true);
    expect(ms).toBeLessThan(2000);
  });

  it('redelivers to a new handle what a crashed one held unacked (persistent messages, durable queue)', async () => {
    const line = await proxy();
    const cfg = { ...names.next(), durable: true };
    const crashing = await openPipeline(cfg, { addr: line.addr, prefetch: 3 });
    const sent = [message(), message(), message(), message()];
    await crashing.pipeline.push(sent);
    await crashing.pipeline.resume();
    await crashing.nth(3);
    // The line dies as if rr were SIGKILLed: no ack, no close handshake.
    line.cut();
    await crashing.pipeline.stop(AbortSignal.timeout(1000));
    const next = await openPipeline(cfg);
    try {
      await next.pipeline.resume();
      await next.nth(4);
      expect(next.jobs.map((j) => j.id).sort()).toEqual(sent.map((m) => m.id).sort());
      await Promise.all(next.jobs.map((j) => j.ack()));
    } finally {
      await next.pipeline.destroy(AbortSignal.timeout(2000));
    }
  });
});
