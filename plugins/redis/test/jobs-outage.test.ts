import type { DeliveredJob, JobsPipeline } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisJobsDriver, redisConfigSchema } from '../src/index.js';
import { admin, dropStreams, message, openPipeline, uniqueStream } from './jobs-helpers.js';
import { timed } from './helpers.js';
import { tcpProxy, type TcpProxy } from './proxy.js';
import { until } from './servers.js';

// Outages through a TCP proxy in front of the shared Redis: the data survives the cut (a private server
// without persistence would come back empty, which proves nothing about losing jobs).
describe('redis jobs driver through an outage', () => {
  let redis: Redis;
  let proxy: TcpProxy;
  let stream: string;
  const handles: JobsPipeline[] = [];

  beforeAll(() => {
    redis = admin();
  });
  afterEach(async () => {
    proxy.restore();
    for (const handle of handles.splice(0)) await handle.stop(AbortSignal.timeout(3000));
    await proxy.close();
    await dropStreams(redis, [stream]);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const setUp = async (prefetch: number, deliver?: (job: DeliveredJob) => void) => {
    proxy = await tcpProxy({ host: '127.0.0.1', port: 6379 });
    stream = uniqueStream();
    const driver = createRedisJobsDriver(redisConfigSchema.parse({ addrs: [proxy.address] }));
    return { driver, open: async () => {
      const opened = await openPipeline(driver, { config: { stream }, name: 'emails', prefetch, ...(deliver === undefined ? {} : { deliver }) });
      handles.push(opened.pipeline);
      return opened;
    } };
  };

  it('opens while Redis is unreachable, fails pushes at once with the coded error, and works once Redis is back', async () => {
    const { open } = await setUp(10);
    proxy.cut();
    const started = performance.now();
    const { pipeline, logger, nth } = await open();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(logger.find('redis is unavailable, the pipeline opens anyway', 'warn')).toHaveLength(1);
    const { ms, error } = await timed(pipeline.push([message()]));
    expect(isRrError(error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
    expect((error as RrError).message).toMatch(/^redis at 127\.0\.0\.1:\d+ is unavailable \(jobs pipeline "emails"\)/);
    expect((error as RrError).details).toMatchObject({ pipeline: 'emails' });
    expect(ms).toBeLessThan(200);
    await pipeline.resume();

    proxy.restore();
    const sent = message();
    await until(async () => (await pipeline.push([sent]).then(() => true, () => false)), 5000, 'a push goes through');
    const job = await nth(1);
    expect(job.id).toBe(sent.id);
    await job.ack();
    expect(logger.find('redis connection restored', 'info')).toHaveLength(1);
  });

  it('loses no job when the connection is cut with jobs in flight: failed acks are redelivered, the rest resumes', async () => {
    let acking = false;
    const acked = new Set<string>();
    const ack = (job: DeliveredJob) => job.ack().then(() => void acked.add(job.id));
    const { open } = await setUp(5, (job) => {
      if (acking) void ack(job);
    });
    const { pipeline, logger, jobs, nth } = await open();
    const sent = Array.from({ length: 20 }, () => message());
    await pipeline.push(sent);
    await pipeline.resume();
    await nth(5);
    await Promise.all(jobs.slice(0, 2).map(ack));

    proxy.cut();
    await until(() => logger.find('redis connection lost', 'warn').length > 0, 3000, 'the loss is noticed');
    const push = await timed(pipeline.push([message()]));
    expect(isRrError(push.error, 'RR_ERR_REDIS_UNAVAILABLE')).toBe(true);
    expect(push.ms).toBeLessThan(200);
    // The acks of the jobs in flight cannot reach Redis: they fail fast, and the jobs stay pending there.
    const inFlight = jobs.slice(2, 5);
    const failed = await Promise.all(inFlight.map((job) => job.ack().catch((err: unknown) => err)));
    expect(failed.every((err) => isRrError(err, 'RR_ERR_REDIS_UNAVAILABLE'))).toBe(true);
    await expect(pipeline.stat()).rejects.toMatchObject({ code: 'RR_ERR_REDIS_UNAVAILABLE' });

    acking = true;
    proxy.restore();
    await until(() => acked.size === 20, 10_000, 'every job acked');
    expect(acked).toEqual(new Set(sent.map((m) => m.id)));
    await until(async () => (await redis.xlen(stream)) === 0, 3000, 'the stream empty');
    expect(await redis.xpending(stream, 'rr')).toEqual([0, null, null, null]);
    // At least once: only the jobs whose ack was lost ran twice.
    const counts = new Map<string, number>();
    for (const job of jobs) counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    expect(twice.sort()).toEqual(inFlight.map((j) => j.id).sort());
    expect(logger.find('redis connection lost')).toHaveLength(1);
    expect(logger.find('redis connection restored')).toHaveLength(1);
  });
});
