import type { DeliveredJob, JobsPipeline } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisJobsDriver, delayedKeyOf, redisConfigSchema } from '../src/index.js';
import { admin, bytes, dropStreams, message, openPipeline, uniqueStream, type Opened } from './jobs-helpers.js';
import { tcpProxy, type TcpProxy } from './proxy.js';
import { until } from './servers.js';

const shared = redisConfigSchema.parse({ addrs: ['127.0.0.1:6379'] });
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('redis jobs driver on the shared Redis', () => {
  let redis: Redis;
  const streams: string[] = [];
  const handles: JobsPipeline[] = [];
  const proxies: TcpProxy[] = [];
  const stream = (): string => {
    const name = uniqueStream();
    streams.push(name);
    return name;
  };
  const open = async (...args: Parameters<typeof openPipeline>): Promise<Opened> => {
    const opened = await openPipeline(...args);
    handles.push(opened.pipeline);
    return opened;
  };

  beforeAll(() => {
    redis = admin();
  });
  afterEach(async () => {
    for (const handle of handles.splice(0)) await handle.stop(AbortSignal.timeout(3000));
    for (const proxy of proxies.splice(0)) await proxy.close();
    await dropStreams(redis, streams.splice(0));
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('writes one stream entry per job and one delayed-set member per delayed job, a large batch in one call', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const { pipeline } = await open(driver, { config: { stream: name } });
    const payload = new Uint8Array([0, 255, 58, 10, 13, 0]);
    await pipeline.push([message({ id: 'job-1', job: 'App\\Mail', payload, headers: { 'x-a': ['1', '2'] }, priority: 3, autoAck: true }), message({ delayMs: 60_000 })]);

    const [[, fields]] = (await redis.xrangeBuffer(name, '-', '+')) as [Buffer, Buffer[]][] as [[Buffer, Buffer[]]];
    const entry = Object.fromEntries(Array.from({ length: fields.length / 2 }, (_, i) => [(fields[2 * i] as Buffer).toString(), fields[2 * i + 1] as Buffer]));
    expect(Object.keys(entry)).toEqual(['id', 'job', 'priority', 'auto_ack', 'headers', 'payload']);
    expect({ id: entry.id?.toString(), job: entry.job?.toString(), priority: entry.priority?.toString(), auto_ack: entry.auto_ack?.toString() }).toEqual({
      id: 'job-1',
      job: 'App\\Mail',
      priority: '3',
      auto_ack: '1',
    });
    expect(JSON.parse(entry.headers?.toString() ?? '')).toEqual({ 'x-a': ['1', '2'] });
    expect(entry.payload?.equals(Buffer.from(payload))).toBe(true);

    const [member, score] = await redis.zrange(delayedKeyOf(name), '0', '-1', 'WITHSCORES');
    expect(member).toMatch(/^[0-9a-f]{16}2:id/);
    expect(Number(score)).toBeGreaterThan(Date.now() + 55_000);
    // The group exists from the open on, at the stream's start.
    expect(await redis.xinfo('GROUPS', name)).toEqual([expect.arrayContaining(['name', 'rr', 'pending', 0])]);

    await pipeline.push(Array.from({ length: 2000 }, (_, i) => message({ job: `bulk-${i}` })));
    expect(await pipeline.stat()).toMatchObject({ queue: name, active: 2001, delayed: 1, reserved: 0 });
  });

  it('delivers entries other producers added with XADD: missing fields take defaults, bad headers are dropped with a warn', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const { pipeline, nth, logger } = await open(driver, { config: { stream: name }, priority: 7 });
    const bare = await redis.xadd(name, '*', 'payload', 'raw bytes');
    await redis.xadd(name, '*', 'id', 'x-2', 'job', 'External', 'headers', 'not json', 'priority', 'high');
    await pipeline.resume();
    const first = await nth(1);
    expect(first).toMatchObject({ id: bare, job: '', priority: 7, autoAck: false, headers: {} });
    expect(Buffer.from(first.payload).toString()).toBe('raw bytes');
    const second = await nth(2);
    expect(second).toMatchObject({ id: 'x-2', job: 'External', priority: 7, headers: {} });
    expect(logger.find('invalid headers', 'warn')).toHaveLength(1);
    await Promise.all([first.ack(), second.ack()]);
    expect(await redis.xlen(name)).toBe(0);
  });

  it('moves delayed jobs another rr pushed once they are due, from the consuming loop', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    // The producer stops at once, so only the consumer's own loop can move the job.
    const producer = await open(driver, { config: { stream: name }, name: 'producer' });
    const pushed = Date.now();
    await producer.pipeline.push([message({ delayMs: 300 })]);
    await producer.pipeline.stop(AbortSignal.timeout(2000));
    const consumer = await open(driver, { config: { stream: name, block_timeout: '100ms' }, name: 'consumer' });
    await consumer.pipeline.resume();
    const job = await consumer.nth(1, 3000);
    expect(Date.now() - pushed).toBeGreaterThanOrEqual(280);
    await job.ack();
  });

  it('shares the work between two consumers of one group: every job once, none twice', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const ack = (job: DeliveredJob) => void job.ack();
    const a = await open(driver, { config: { stream: name, consumer: 'a' }, name: 'a', prefetch: 4, deliver: ack });
    const b = await open(driver, { config: { stream: name, consumer: 'b' }, name: 'b', prefetch: 4, deliver: ack });
    await a.pipeline.resume();
    await b.pipeline.resume();
    const sent = Array.from({ length: 60 }, () => message());
    await a.pipeline.push(sent);
    await until(() => a.jobs.length + b.jobs.length >= 60, 5000, 'every job delivered');
    await until(async () => (await redis.xlen(name)) === 0, 5000, 'every job acked and deleted');
    const delivered = [...a.jobs, ...b.jobs].map((j) => j.id);
    expect(delivered).toHaveLength(60);
    expect(new Set(delivered)).toEqual(new Set(sent.map((m) => m.id)));
    expect(a.jobs.length).toBeGreaterThan(0);
    expect(b.jobs.length).toBeGreaterThan(0);
  });

  it('redelivers the jobs of a dead rr to another consumer after visibility_timeout', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    // The doomed rr reaches Redis through a proxy: cutting it for good is a crash as Redis sees it (no
    // ack, no renewal, nothing given back).
    const proxy = await tcpProxy({ host: '127.0.0.1', port: 6379 });
    proxies.push(proxy);
    const viaProxy = redisConfigSchema.parse({ addrs: [proxy.address] });
    const doomed = await open(createRedisJobsDriver(viaProxy), { config: { stream: name, consumer: 'doomed', visibility_timeout: '500ms' }, prefetch: 3 });
    const sent = [message(), message(), message()];
    await doomed.pipeline.push(sent);
    await doomed.pipeline.resume();
    await doomed.nth(3);
    proxy.cut();
    const died = Date.now();

    const heir = await open(driver, { config: { stream: name, consumer: 'heir', visibility_timeout: '500ms' }, prefetch: 10 });
    await heir.pipeline.resume();
    await heir.nth(3, 5000);
    // Claimed only once they had been idle for visibility_timeout (renewed at most ~170ms before the cut).
    expect(Date.now() - died).toBeGreaterThanOrEqual(300);
    expect(heir.jobs.map((j) => j.id).sort()).toEqual(sent.map((m) => m.id).sort());
    await Promise.all(heir.jobs.map((j) => j.ack()));
    expect(await redis.xlen(name)).toBe(0);
    // The dead rr's late acks fail with the coded error and change nothing.
    await expect(doomed.jobs[0]?.ack()).rejects.toMatchObject({ code: 'RR_ERR_REDIS_UNAVAILABLE' });
    await doomed.pipeline.stop(AbortSignal.timeout(2000));
    expect(doomed.logger.find('unsettled jobs stay pending', 'warn')).toHaveLength(1);
  });

  it('keeps a long-running job with its live consumer past visibility_timeout (renewal), then acks it', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    // prefetch 1: the holder's loop then makes no claim passes of its own, only the renewal protects the job.
    const holder = await open(driver, { config: { stream: name, consumer: 'holder', visibility_timeout: '200ms' }, prefetch: 1 });
    await holder.pipeline.push([message()]);
    await holder.pipeline.resume();
    const job = await holder.nth(1);
    const other = await open(driver, { config: { stream: name, consumer: 'other', visibility_timeout: '200ms' } });
    await other.pipeline.resume();
    await quiet(800);
    expect(other.jobs).toHaveLength(0);
    await job.ack();
    expect(await redis.xlen(name)).toBe(0);
  });

  it('refuses a second pipeline of this rr consuming the same stream as the same consumer, until the first stops', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const first = await open(driver, { config: { stream: name }, name: 'first' });
    const err = await openPipeline(driver, { config: { stream: name }, name: 'second' }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_REDIS_CONSUMER_IN_USE')).toBe(true);
    // Another consumer name (or group) is fine.
    await open(driver, { config: { stream: name, consumer: 'c2' }, name: 'third' });
    await first.pipeline.stop(AbortSignal.timeout(2000));
    await open(driver, { config: { stream: name }, name: 'second' });
  });

  it('keeps every job on stop and on destroy without delete_stream_on_stop; refuses pushes afterwards', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const { pipeline, nth } = await open(driver, { config: { stream: name } });
    await pipeline.push([message(), message(), message({ delayMs: 60_000 })]);
    await pipeline.resume();
    await nth(2);
    await pipeline.destroy(AbortSignal.timeout(2000));
    await expect(pipeline.push([message()])).rejects.toMatchObject({ code: 'RR_ERR_REDIS_CLOSED' });
    await expect(pipeline.stat()).rejects.toMatchObject({ code: 'RR_ERR_REDIS_CLOSED' });
    expect(await redis.xlen(name)).toBe(2);
    expect(await redis.zcard(delayedKeyOf(name))).toBe(1);
    // Nothing pending: both deliveries went back as new entries, and the consumer left the group.
    expect(await redis.xpending(name, 'rr')).toEqual([0, null, null, null]);
    expect(await redis.xinfo('CONSUMERS', name, 'rr')).toEqual([]);
  });

  it('does not requeue a job another consumer claimed meanwhile (that one runs it; a copy would multiply it)', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const slow = await open(driver, { config: { stream: name, consumer: 'slow', visibility_timeout: '1s' } });
    await slow.pipeline.push([message({ headers: { a: ['1'] } })]);
    await slow.pipeline.resume();
    const job = await slow.nth(1);
    // Another consumer claims the entry as if the slow one had died (its renewal is beaten by XCLAIM here).
    await redis.xclaim(name, 'rr', 'thief', 0, (await redis.xrange(name, '-', '+'))[0]?.[0] as string);
    await job.requeue({ headers: { b: ['2'] } });
    expect(await redis.xlen(name)).toBe(1);
    expect(await redis.xpending(name, 'rr')).toEqual([1, expect.any(String), expect.any(String), [['thief', '1']]]);
  });

  it('fails the open when the stream name holds a key of another type (a config mistake, not an outage)', async () => {
    const name = stream();
    await redis.set(name, 'not a stream');
    const err = await openPipeline(createRedisJobsDriver(shared), { config: { stream: name } }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_REDIS_COMMAND_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/rejected XGROUP CREATE: WRONGTYPE/);
  });

  it('pause and stop end a blocking read at once (CLIENT UNBLOCK) instead of waiting out block_timeout', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const pipelineName = `unblock-${name.slice(-12)}`;
    const { pipeline, nth } = await open(driver, { config: { stream: name, block_timeout: '10s' }, name: pipelineName });
    await pipeline.resume();
    await pipeline.push([message()]);
    await (await nth(1)).ack();
    // CLIENT LIST shows the reader connection (named after the pipeline) with flag b while it blocks.
    const blocked = async () =>
      String(await redis.client('LIST'))
        .split('\n')
        .some((line: string) => line.includes(`name=rr:jobs:${pipelineName}:reader `) && /\bflags=b\b/.test(line));
    await until(blocked, 3000, 'a blocked read');
    const paused = performance.now();
    await pipeline.pause();
    await until(async () => !(await blocked()), 3000, 'no blocked read');
    expect(performance.now() - paused).toBeLessThan(1000);
    await pipeline.resume();
    const stopped = performance.now();
    await pipeline.stop(AbortSignal.timeout(5000));
    expect(performance.now() - stopped).toBeLessThan(1000);
  });

  it('payload bytes survive a requeue with delay', async () => {
    const driver = createRedisJobsDriver(shared);
    const name = stream();
    const { pipeline, nth } = await open(driver, { config: { stream: name } });
    const payload = bytes('ünïcode \u0000 and : colons 12:34');
    await pipeline.push([message({ payload })]);
    await pipeline.resume();
    await (await nth(1)).requeue({ delayMs: 50 });
    const again = await nth(2);
    expect(Buffer.from(again.payload).equals(Buffer.from(payload))).toBe(true);
    await again.ack();
  });
});
