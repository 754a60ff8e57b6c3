import type { DeliveredJob } from '@rr/contracts';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, AckPolicy } from '@nats-io/jetstream';
import { afterAll, describe, expect, it } from 'vitest';
import { admin, bytes, deadPort, deleteStreams, message, openPipeline, timed, uniqueName, until } from './helpers.js';

const streams: string[] = [];
afterAll(() => deleteStreams(streams));

/** A fresh pipeline name whose streams are removed after the file. */
function fresh(): string {
  const name = uniqueName();
  streams.push(name);
  return name;
}

const text = (value: Uint8Array): string => Buffer.from(value).toString('utf8');

describe('nats jobs driver: RoadRunner wire format', () => {
  it('consumes a job as RoadRunner publishes it: Item JSON with base64 payload, headers as NATS headers, priority 0', async () => {
    const name = fresh();
    const { pipeline, jobs } = await openPipeline({ name, priority: 7 });
    const a = await admin();
    try {
      const hdrs = natsHeaders();
      hdrs.append('x-a', '1');
      hdrs.append('x-a', '2');
      const item = { job: 'App\\Jobs\\Mail', id: 'rr-1', payload: Buffer.from('hello').toString('base64'), options: { priority: 0, pipeline: 'elsewhere', auto_ack: false, Queue: '' } };
      await jetstream(a.nc).publish(`${name}.jobs`, JSON.stringify(item), { headers: hdrs });
      await pipeline.resume();
      await until(() => jobs.length === 1, 5000, 'the RoadRunner job delivered');
      const job = jobs[0] as DeliveredJob;
      expect(job).toMatchObject({ id: 'rr-1', job: 'App\\Jobs\\Mail', priority: 7, autoAck: false, pipeline: name, queue: name });
      expect(text(job.payload)).toBe('hello');
      expect(job.headers).toEqual({ 'x-a': ['1', '2'], 'x-nats-subject': [`${name}.jobs`] });
      await job.ack();
    } finally {
      await a.close();
      await pipeline.destroy(AbortSignal.timeout(5000));
    }
  });

  it("stores a pushed job in RoadRunner's shape, and keeps headers NATS cannot carry in the JSON", async () => {
    const name = fresh();
    const { pipeline, jobs } = await openPipeline({ name });
    const a = await admin();
    try {
      const sent = message({ payload: new Uint8Array([0, 255, 10]), priority: 3, autoAck: true, headers: { 'x-b': ['v'], 'bad name': ['x'], ü: ['1'], empty: [], pad: [' v '] } });
      await pipeline.push([sent]);
      const stored = await a.jsm.streams.getMessage(name, { seq: 1 });
      expect(stored?.subject).toBe(`${name}.jobs`);
      expect(stored?.json()).toEqual({
        job: sent.job,
        id: sent.id,
        payload: Buffer.from([0, 255, 10]).toString('base64'),
        headers: sent.headers,
        options: { priority: 3, pipeline: name, auto_ack: true, Queue: name },
      });
      expect([...(stored?.header.keys() ?? [])]).toEqual(['x-b']);

      await pipeline.resume();
      await until(() => jobs.length === 1, 5000, 'delivered');
      expect([...(jobs[0]?.payload ?? [])]).toEqual([0, 255, 10]);
      expect(jobs[0]?.headers).toEqual({ ...sent.headers, 'x-nats-subject': [`${name}.jobs`] });
      await jobs[0]?.ack();
    } finally {
      await a.close();
      await pipeline.destroy(AbortSignal.timeout(5000));
    }
  });

  it('terminates a message that is not a job, logs it with its code, and keeps consuming', async () => {
    const name = fresh();
    const { pipeline, jobs, logger } = await openPipeline({ name });
    const a = await admin();
    try {
      await jetstream(a.nc).publish(`${name}.jobs`, 'not json');
      await pipeline.push([message({ id: 'after' })]);
      await pipeline.resume();
      await until(() => jobs.length === 1, 5000, 'the job after the bad message');
      expect(jobs[0]?.id).toBe('after');
      await jobs[0]?.ack();
      expect(logger.find('not a job', 'error')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ code: 'RR_ERR_NATS_BAD_MESSAGE', seq: 1 }) })]);
      await until(async () => {
        const s = await pipeline.stat();
        return s.active + s.reserved === 0;
      }, 5000, 'nothing left to deliver');
    } finally {
      await a.close();
      await pipeline.destroy(AbortSignal.timeout(5000));
    }
  });
});

describe('nats jobs driver: durable consumer', () => {
  it('two rr instances opening one pipeline share its consumer: the work is split, no job twice, prefetch caps them together', async () => {
    const name = fresh();
    const worker = (job: DeliveredJob) => void setTimeout(() => void job.ack(), 5);
    const first = await openPipeline({ name, prefetch: 4, onJob: worker });
    const second = await openPipeline({ name, prefetch: 4, onJob: worker });
    try {
      const pushed = Array.from({ length: 40 }, () => message());
      await first.pipeline.push(pushed);
      await Promise.all([first.pipeline.resume(), second.pipeline.resume()]);
      await until(() => first.jobs.length + second.jobs.length === 40, 10_000, 'all forty delivered');
      expect(first.jobs.length).toBeGreaterThan(0);
      expect(second.jobs.length).toBeGreaterThan(0);
      const ids = [...first.jobs, ...second.jobs].map((j) => j.id);
      expect(ids).toHaveLength(new Set(ids).size);
      expect(new Set(ids)).toEqual(new Set(pushed.map((m) => m.id)));
      // prefetch is the durable consumer's max_ack_pending: one budget for every rr that shares it.
      const a = await admin();
      expect((await a.jsm.consumers.info(name, name)).config.max_ack_pending).toBe(4);
      await a.close();
    } finally {
      await first.pipeline.stop(AbortSignal.timeout(5000));
      await second.pipeline.destroy(AbortSignal.timeout(5000));
    }
  });

  it('keeps a job it holds past ack_wait with progress acks: no redelivery while the worker runs', async () => {
    const name = fresh();
    const { pipeline, jobs } = await openPipeline({ name, config: { ack_wait: '1s' } });
    const a = await admin();
    try {
      await pipeline.push([message()]);
      await pipeline.resume();
      await until(() => jobs.length === 1, 5000, 'delivered');
      // Longer than two ack_waits: without progress acks JetStream would have redelivered it.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(jobs).toHaveLength(1);
      expect((await a.jsm.consumers.info(name, name)).num_redelivered).toBe(0);
      await jobs[0]?.ack();
      await until(async () => (await pipeline.stat()).reserved === 0, 5000, 'acked');
    } finally {
      await a.close();
      await pipeline.destroy(AbortSignal.timeout(5000));
    }
  });

  it('pause gives back the jobs still waiting for the core, and a later resume gets them', async () => {
    const name = fresh();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // A core that blocks on its first job, as a full priority queue does: the other two wait in the driver.
    const { pipeline, jobs } = await openPipeline({ name, onJob: () => gate });
    try {
      await pipeline.push([message(), message(), message()]);
      await pipeline.resume();
      await until(async () => (await pipeline.stat()).reserved === 3, 5000, 'all three taken, one handed to the core');
      expect(jobs).toHaveLength(1);
      await pipeline.pause();
      expect(await pipeline.stat()).toMatchObject({ active: 2, reserved: 1 });
      release();
      await jobs[0]?.ack();
      await pipeline.resume();
      await until(() => jobs.length === 3, 5000, 'the two given back delivered');
      expect(new Set(jobs.map((j) => j.id)).size).toBe(3);
      await Promise.all(jobs.map((j) => j.ack()));
    } finally {
      await pipeline.destroy(AbortSignal.timeout(5000));
    }
  });

  it('deliver_new: a new consumer starts after the jobs already in the stream; each pipeline on a subject gets every job', async () => {
    const name = fresh();
    const config = { stream: name, subject: `${name}.jobs` };
    const old = await openPipeline({ name, config });
    try {
      await old.pipeline.push([message({ id: 'before' })]);
      const fresher = await openPipeline({ name: `${name}-new`, config: { ...config, deliver_new: 'true' } });
      try {
        await fresher.pipeline.push([message({ id: 'after' })]);
        await Promise.all([old.pipeline.resume(), fresher.pipeline.resume()]);
        await until(() => old.jobs.length === 2 && fresher.jobs.length === 1, 5000, 'deliveries');
        expect(old.jobs.map((j) => j.id)).toEqual(['before', 'after']);
        expect(fresher.jobs.map((j) => j.id)).toEqual(['after']);
        await Promise.all([...old.jobs, ...fresher.jobs].map((j) => j.ack()));
      } finally {
        await fresher.pipeline.stop(AbortSignal.timeout(5000));
      }
    } finally {
      await old.pipeline.destroy(AbortSignal.timeout(5000));
    }
  });
});

describe('nats jobs driver: streams', () => {
  it('delete_after_ack removes acked, dropped and requeued jobs from the stream', async () => {
    const name = fresh();
    const { pipeline, jobs } = await openPipeline({ name, config: { delete_after_ack: true } });
    const a = await admin();
    try {
      await pipeline.push([message({ id: 'ack' }), message({ id: 'drop' }), message({ id: 'requeue' })]);
      await pipeline.resume();
      await until(() => jobs.length === 3, 5000, 'delivered');
      const byId = (id: string) => jobs.find((j) => j.id === id) as DeliveredJob;
      await byId('ack').ack();
      await byId('drop').nack();
      await byId('requeue').requeue({ headers: { again: ['1'] } });
      await until(() => jobs.length === 4, 5000, 'the requeued copy');
      expect(jobs[3]?.headers.again).toEqual(['1']);
      await jobs[3]?.ack();
      expect((await a.jsm.streams.info(name)).state.messages).toBe(0);
    } finally {
      await a.close();
      await pipeline.destroy(AbortSignal.timeout(5000));
    }
  });

  it('adds its subject to an existing stream, and reports a durable it cannot turn into its pull consumer with the coded error', async () => {
    const name = fresh();
    const a = await admin();
    try {
      await a.jsm.streams.add({ name, subjects: [`${name}.other`] });
      const { pipeline } = await openPipeline({ name });
      await pipeline.stop(AbortSignal.timeout(5000));
      expect((await a.jsm.streams.info(name)).config.subjects).toEqual([`${name}.other`, `${name}.jobs`]);

      await a.jsm.consumers.add(name, { durable_name: 'taken', deliver_subject: `${name}-push`, ack_policy: AckPolicy.Explicit });
      const err = await openPipeline({ name: 'taken', config: { stream: name, subject: `${name}.jobs` } }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'RR_ERR_NATS_CONSUMER_FAILED' });
    } finally {
      await a.close();
    }
  });

  it('fails fast with RR_ERR_NATS_UNAVAILABLE when NATS cannot be reached, and refuses work after stop', async () => {
    const unreachable = await timed(openPipeline({ name: uniqueName(), root: { addr: `nats://127.0.0.1:${await deadPort()}`, timeout: '2s' } }));
    expect(unreachable.error).toMatchObject({ code: 'RR_ERR_NATS_UNAVAILABLE' });
    expect(unreachable.ms).toBeLessThan(2500);

    const name = fresh();
    const { pipeline } = await openPipeline({ name, config: { delete_stream_on_stop: true } });
    expect((await pipeline.stat()).queue).toBe(name);
    await pipeline.stop(AbortSignal.timeout(5000));
    await expect(pipeline.push([message({ payload: bytes('x') })])).rejects.toMatchObject({ code: 'RR_ERR_NATS_PIPELINE_STOPPED' });
    await expect(pipeline.stat()).rejects.toMatchObject({ code: 'RR_ERR_NATS_PIPELINE_STOPPED' });
    await pipeline.stop(AbortSignal.timeout(5000));
    // Destroy after stop still deletes the streams (through a short-lived connection).
    await pipeline.destroy(AbortSignal.timeout(5000));
    const a = await admin();
    try {
      await expect(a.jsm.streams.info(name)).rejects.toThrow();
    } finally {
      await a.close();
    }
  });
});
