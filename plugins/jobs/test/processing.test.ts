import { afterEach, describe, expect, it } from 'vitest';
import { ATTEMPTS_HEADER, DEAD_LETTER_HEADERS } from '../src/index.js';
import { startJobs, until, type Jobs } from './helpers/start.js';

let jobs: Jobs | undefined;
afterEach(async () => {
  await jobs?.dispose();
  jobs = undefined;
});

const queueOf = (j: Jobs, name: string) => j.world.queues.get(name);
const settled = (j: Jobs, name: string) => {
  const q = queueOf(j, name);
  return q !== undefined && q.ready.length === 0 && q.delayed === 0 && q.inFlight.size === 0;
};

describe('jobs processing with PHP workers', () => {
  it('delivers the RoadRunner context and the payload bytes, and acks a completed job', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { queue: 'qa' } } } });
    const id = await jobs.push('a', { do: 'complete', bin: '\u00ff\u0000' }, { headers: { 'x-h': ['1', '2'] }, job: 'App\\Jobs\\Mail' });
    const [seen] = await jobs.waitSeen(1);
    expect(seen).toMatchObject({ id, job: 'App\\Jobs\\Mail', driver: 'mem', pipeline: 'a', queue: 'qa', headers: { 'x-h': ['1', '2'] } });
    expect(seen?.keys).toEqual(['id', 'job', 'driver', 'headers', 'pipeline', 'queue']);
    expect(Buffer.from(seen?.body ?? '', 'base64').toString()).toBe(JSON.stringify({ do: 'complete', bin: '\u00ff\u0000' }));
    await until(() => settled(jobs as Jobs, 'a'), 5000, 'acked');
  });

  it('acts on every worker response type as RoadRunner does', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem' } } });
    const j = jobs;
    const ack2 = await j.push('a', { do: 'type', type: 2 });
    const fail = await j.push('a', { do: 'type', type: 1, data: { message: 'nope', requeue: false } });
    const failRequeue = await j.push('a', { do: 'type', type: 1, data: { message: 'again', requeue: true, delay_seconds: 0, headers: { 'x-done': ['1'] } } });
    const nack = await j.push('a', { do: 'type', type: 3, data: { message: 'rejected', requeue: false } });
    const requeue = await j.push('a', { do: 'type', type: 4, data: { message: 'later', delay_seconds: 1, headers: { 'x-done': ['yes'] } } });
    const unknown = await j.push('a', { do: 'type', type: 9 });
    const malformed = await j.push('a', { do: 'raw', body: 'not json' });
    const empty = await j.push('a', { do: 'raw', body: '' });
    const requeuedAt = Date.now();
    await j.waitSeen(2, (s) => s.id === requeue);
    await j.waitSeen(2, (s) => s.id === failRequeue);
    await until(() => settled(j, 'a'), 5000, 'all settled');

    const count = (id: string) => j.seen().filter((s) => s.id === id).length;
    expect([ack2, fail, nack, unknown, malformed, empty].map(count)).toEqual([1, 1, 1, 1, 1, 1]);
    const again = j.seen().filter((s) => s.id === requeue);
    expect(again[1]?.headers).toMatchObject({ 'x-done': ['yes'] });
    expect((again[1]?.at ?? 0) * 1000 - requeuedAt).toBeGreaterThanOrEqual(900);
    // Explicit requeues are the application's retries: they do not count as failed attempts.
    expect(again[1]?.headers[ATTEMPTS_HEADER]).toBeUndefined();
    expect(j.t.logger.find('job failed')[0]?.fields).toMatchObject({ id: fail, error: 'nope' });
    expect(j.t.logger.find('job nacked')[0]?.fields).toMatchObject({ id: nack });
    expect(j.t.logger.find('unknown worker response type; job acked')[0]?.fields).toMatchObject({ id: unknown, type: 9 });
    expect(j.t.logger.find('invalid worker response; job acked to avoid a redelivery loop')[0]?.fields).toMatchObject({ id: malformed });
  });

  it('acks auto_ack jobs before running them and never retries them', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { retry_delay: 0 } } } });
    const id = await jobs.push('a', { do: 'crash' }, { autoAck: true });
    await jobs.waitSeen(1);
    await until(() => (jobs as Jobs).t.logger.find('auto_ack job failed; it is not retried').length === 1, 10_000, 'failure logged');
    expect(settled(jobs, 'a')).toBe(true);
    expect(jobs.seen().filter((s) => s.id === id)).toHaveLength(1);
  });

  it('retries a job whose worker crashes up to max_attempts, then moves it to the dead-letter pipeline', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { max_attempts: 3, retry_delay: '10ms', dead_letter: 'dead' } }, dead: { driver: 'mem' } } });
    const j = jobs;
    const id = await j.push('a', { do: 'crash' }, { headers: { keep: ['me'] } });
    const seen = await j.waitSeen(3, (s) => s.id === id, 20_000);
    expect(seen.map((s) => s.headers[ATTEMPTS_HEADER])).toEqual([undefined, ['1'], ['2']]);
    await until(() => (queueOf(j, 'dead')?.ready.length ?? 0) === 1, 10_000, 'dead-lettered');
    const dead = queueOf(j, 'dead')?.ready[0];
    expect(dead?.id).toBe(id);
    expect(dead?.headers).toMatchObject({ keep: ['me'], [DEAD_LETTER_HEADERS.pipeline]: ['a'], [DEAD_LETTER_HEADERS.attempts]: ['3'] });
    expect(dead?.headers[DEAD_LETTER_HEADERS.error]?.[0]).toMatch(/RR_ERR_POOL_WORKER_CRASHED/);
    expect(dead?.headers[ATTEMPTS_HEADER]).toBeUndefined();
    expect(settled(j, 'a')).toBe(true);
    expect(j.t.logger.find('job moved to its dead_letter pipeline after max_attempts')[0]?.fields).toMatchObject({ id, attempts: 3, dead_letter: 'dead' });
  });

  it('drops a job that used up max_attempts without a dead-letter pipeline, logging its id; a NACK with requeue counts', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { max_attempts: 2, retry_delay: 0 } } } });
    const j = jobs;
    const errored = await j.push('a', { do: 'error' });
    const nacked = await j.push('a', { do: 'type', type: 3, data: { message: 'not now', requeue: true } });
    await j.waitSeen(2, (s) => s.id === errored);
    await j.waitSeen(2, (s) => s.id === nacked);
    await until(() => j.t.logger.find('job dropped: max_attempts reached and the pipeline has no dead_letter').length === 2, 10_000, 'both dropped');
    const dropped = j.t.logger.find('job dropped: max_attempts reached and the pipeline has no dead_letter').map((l) => l.fields);
    expect(dropped.map((f) => f?.id).sort()).toEqual([errored, nacked].sort());
    expect(dropped.find((f) => f?.id === errored)).toMatchObject({ attempts: 2, error: expect.stringContaining('the job blew up') });
    expect(settled(j, 'a')).toBe(true);
  });

  it('runs the lowest priority number first, FIFO within a priority; a job with priority 0 takes the pipeline\'s', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { priority: 5 } } } });
    const j = jobs;
    const slow = await j.push('a', { sleep_ms: 400 });
    await j.waitSeen(1);
    const low = await j.push('a', {}, { priority: 9 });
    const inherit1 = await j.push('a', {});
    const high = await j.push('a', {}, { priority: 1 });
    const inherit2 = await j.push('a', {});
    await j.waitSeen(5);
    expect(j.seen().map((s) => s.id)).toEqual([slow, high, inherit1, inherit2, low]);
  });

  it('delivers a delayed push no earlier than its delay', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem' } } });
    const pushed = Date.now();
    await jobs.push('a', {}, { delay: 1 });
    const [seen] = await jobs.waitSeen(1, undefined, 5000);
    expect((seen?.at ?? 0) * 1000 - pushed).toBeGreaterThanOrEqual(950);
  });
});

describe('graceful stop', () => {
  it('lets the running job finish and gives the queued ones back to their driver', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem' } } });
    const j = jobs;
    const running = await j.push('a', { sleep_ms: 500 });
    await j.waitSeen(1);
    const queued = [await j.push('a', {}), await j.push('a', {}), await j.push('a', {})];
    await j.stop();
    expect(j.seen().map((s) => s.id)).toEqual([running]);
    const q = queueOf(j, 'a');
    expect(q?.ready.map((m) => m.id)).toEqual(queued);
    expect(q?.inFlight.size).toBe(0);
    expect(j.world.stopped).toEqual(['a']);
  });

  it('gives a job back when it outlives jobs.timeout', async () => {
    jobs = await startJobs({ timeout: '300ms', consume: ['a'], pipelines: { a: { driver: 'mem' } } });
    const j = jobs;
    const stuck = await j.push('a', { sleep_ms: 1500 });
    await j.waitSeen(1);
    await j.stop();
    expect(queueOf(j, 'a')?.ready.map((m) => m.id)).toEqual([stuck]);
    expect(j.t.logger.find('running jobs did not finish in time; they go back to their pipelines')[0]?.fields).toMatchObject({ ids: [stuck] });
  });
});
