import type { DeliveredJob } from '@rr/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteStreams, message, openPipeline, startProxy, timed, uniqueName, until } from './helpers.js';

// The driver reaches NATS through a TCP proxy of the test's own; cutting it is an outage as the client sees
// it (connections dropped, new ones refused), while the shared server keeps running.
const streams: string[] = [];
afterAll(() => deleteStreams(streams));

describe('nats outage', () => {
  it('cut mid-consume: pushes fail fast with the coded error, consuming resumes after restore, no job lost', async () => {
    const proxy = await startProxy();
    const name = uniqueName();
    streams.push(name);
    const acked = new Set<string>();
    // The "worker": runs each job for 20 ms, then acks it; an ack that fails during the cut leaves the job to come back.
    const onJob = (job: DeliveredJob) => {
      setTimeout(() => {
        job.ack().then(
          () => acked.add(job.id),
          () => undefined,
        );
      }, 20);
    };
    const { pipeline, jobs, logger } = await openPipeline({ name, root: { addr: proxy.addr, timeout: '3s' }, prefetch: 4, config: { ack_wait: '2s' }, onJob });
    try {
      const before = Array.from({ length: 30 }, () => message());
      await pipeline.push(before);
      await pipeline.resume();
      await until(() => acked.size >= 5, 5000, 'the first jobs consumed');

      proxy.cut();
      expect(jobs.filter((j) => !acked.has(j.id)).length).toBeGreaterThan(0);
      await until(() => logger.find('nats connection lost', 'warn').length > 0, 2000, 'the client noticing the cut');
      const push = await timed(pipeline.push([message()]));
      expect(push.error).toMatchObject({ code: 'RR_ERR_NATS_UNAVAILABLE' });
      expect(push.ms).toBeLessThan(200);
      const stat = await timed(pipeline.stat());
      expect(stat.error).toMatchObject({ code: 'RR_ERR_NATS_UNAVAILABLE' });
      expect(stat.ms).toBeLessThan(200);
      const deliveredDuringCut = jobs.length;

      proxy.restore();
      const after = Array.from({ length: 10 }, () => message());
      // Polls with real pushes: each one fails fast until the client has reconnected.
      await until(async () => (await timed(pipeline.push(after))).error === undefined, 10_000, 'a push after the restore');
      await until(() => [...before, ...after].every((m) => acked.has(m.id)), 15_000, 'every job pushed outside the cut acked');
      expect(jobs.length).toBeGreaterThan(deliveredDuringCut);
      expect(logger.find('nats connection restored', 'info')).not.toHaveLength(0);
      await until(async () => (await pipeline.stat()).active + (await pipeline.stat()).reserved === 0, 5000, 'the queue drained');
    } finally {
      await pipeline.destroy(AbortSignal.timeout(5000));
      await proxy.close();
    }
  }, 40_000);

  it('jobs held by an rr that died without stopping come back to another rr after ack_wait, and its stop does not hang', async () => {
    const proxy = await startProxy();
    const name = uniqueName();
    streams.push(name);
    const config = { ack_wait: '1s' };
    const dying = await openPipeline({ name, root: { addr: proxy.addr, timeout: '2s' }, config });
    const pushed = [message(), message(), message()];
    await dying.pipeline.push(pushed);
    await dying.pipeline.resume();
    await until(() => dying.jobs.length === 3, 5000, 'all three taken by the first rr');
    // The first rr can no longer settle anything: as if it was SIGKILLed with its jobs in flight.
    proxy.cut();

    const survivor = await openPipeline({ name, config });
    try {
      await survivor.pipeline.resume();
      await until(() => survivor.jobs.length >= 3, 8000, 'the jobs redelivered to the second rr');
      expect(new Set(survivor.jobs.map((j) => j.id))).toEqual(new Set(pushed.map((m) => m.id)));
      await Promise.all(survivor.jobs.map((j) => j.ack()));

      const stop = await timed(dying.pipeline.stop(AbortSignal.timeout(5000)));
      expect(stop.error).toBeUndefined();
      expect(stop.ms).toBeLessThan(3000);
    } finally {
      await survivor.pipeline.destroy(AbortSignal.timeout(5000));
      await proxy.close();
    }
  }, 30_000);
});
