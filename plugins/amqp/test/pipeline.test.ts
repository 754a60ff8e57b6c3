import type { DeliveredJob } from '@rr/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { message, Names, onFreshChannel, openPipeline, until, withAdmin } from './helpers.js';

const QUIET_MS = 250;
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

describe('amqp pipeline behaviour beyond the shared suite', () => {
  const names = new Names();
  afterAll(() => names.cleanup());

  it('pause gives back what was received but not yet handed to the core; jobs in flight still settle', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { pipeline, jobs, nth } = await openPipeline(names.next(), { prefetch: 10, deliver: () => gate });
    try {
      await pipeline.push([message(), message(), message()]);
      await pipeline.resume();
      const first = await nth(1);
      await pipeline.pause();
      release();
      await until(async () => (await pipeline.stat()).active === 2, 3000, 'the two buffered jobs back in the queue');
      expect((await pipeline.stat()).reserved).toBe(1);
      await first.ack();
      await until(async () => (await pipeline.stat()).reserved === 0, 3000, 'the in-flight job acked after pause');
      await quiet();
      expect(jobs).toHaveLength(1);
      await pipeline.resume();
      await nth(3);
      await Promise.all(jobs.slice(1).map((j) => j.ack()));
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('requeue_on_fail: a plain nack gives the job back', async () => {
    const { pipeline, nth } = await openPipeline({ ...names.next(), requeue_on_fail: 'true' });
    try {
      const sent = message();
      await pipeline.push([sent]);
      await pipeline.resume();
      await (await nth(1)).nack();
      const again = await nth(2);
      expect(again.id).toBe(sent.id);
      await again.nack({ requeue: false });
      await until(async () => (await pipeline.stat()).active + (await pipeline.stat()).reserved === 0, 3000, 'dropped by an explicit requeue: false');
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('multiple_ack: one ack settles the earlier deliveries too, whose own settles then do nothing', async () => {
    const { pipeline, nth, jobs } = await openPipeline({ ...names.next(), multiple_ack: true }, { prefetch: 3 });
    try {
      await pipeline.push([message(), message(), message()]);
      await pipeline.resume();
      await nth(3);
      await (jobs[2] as DeliveredJob).ack();
      await until(async () => (await pipeline.stat()).reserved === 0, 3000, 'all three settled');
      await (jobs[0] as DeliveredJob).nack({ requeue: true });
      await quiet();
      expect(jobs).toHaveLength(3);
      expect((await pipeline.stat()).active).toBe(0);
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('on a fanout exchange a requeued copy goes back to its own queue only', async () => {
    const cfg = names.next();
    const sibling = `${cfg.queue}-sibling`;
    names.queues.add(sibling);
    const { pipeline, nth } = await openPipeline({ queue: cfg.queue, exchange: cfg.exchange, exchange_type: 'fanout' });
    const siblingCount = () =>
      withAdmin(async (conn) => {
        const ch = await conn.createChannel();
        const n = (await ch.checkQueue(sibling)).messageCount;
        await ch.close();
        return n;
      });
    try {
      await withAdmin((conn) =>
        onFreshChannel(conn, async (ch) => {
          await ch.assertQueue(sibling);
          await ch.bindQueue(sibling, cfg.exchange, '');
        }),
      );
      await pipeline.push([message()]);
      expect(await siblingCount()).toBe(1);
      await pipeline.resume();
      await (await nth(1)).requeue({ headers: { again: ['1'] } });
      expect((await nth(2)).headers).toEqual({ again: ['1'] });
      expect(await siblingCount()).toBe(1);
      await (await nth(2)).ack();
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('refuses to open against an existing queue declared with other options', async () => {
    const cfg = names.next();
    await withAdmin((conn) => onFreshChannel(conn, (ch) => ch.assertQueue(cfg.queue, { durable: true })));
    await expect(openPipeline({ ...cfg, durable: false })).rejects.toMatchObject({ code: 'RR_ERR_AMQP_DECLARE_FAILED', message: expect.stringContaining(cfg.queue) });
  });

  it('refuses a batch whose headers AMQP cannot carry before sending any of it', async () => {
    const { pipeline } = await openPipeline(names.next());
    try {
      const huge = message({ headers: { big: ['x'.repeat(70_000)] } });
      await expect(pipeline.push([message(), huge])).rejects.toMatchObject({ code: 'RR_ERR_AMQP_PUBLISH_FAILED', message: expect.stringContaining(huge.id) });
      expect((await pipeline.stat()).active).toBe(0);
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('refuses pushes after stop, and stop is idempotent', async () => {
    const { pipeline } = await openPipeline(names.next());
    await pipeline.stop(AbortSignal.timeout(2000));
    await pipeline.stop(AbortSignal.timeout(2000));
    await expect(pipeline.push([message()])).rejects.toMatchObject({ code: 'RR_ERR_AMQP_PIPELINE_STOPPED' });
    await pipeline.resume();
    await pipeline.pause();
  });
});
