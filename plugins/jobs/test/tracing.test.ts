import { parseTraceparent, recordingTracer, testTracerPlugin, type RecordedSpan, type RecordingTracer } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTEMPTS_HEADER, jobsProto } from '../src/index.js';
import { traceCarrierOf, withTraceContext } from '../src/tracing.js';
import { startJobs, until, type Jobs } from './helpers/start.js';

const PRODUCER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PRODUCER_SPAN = '00f067aa0ba902b7';
const PRODUCER_PARENT = `00-${PRODUCER_TRACE}-${PRODUCER_SPAN}-01`;

let jobs: Jobs | undefined;
afterEach(async () => {
  await jobs?.dispose();
  jobs = undefined;
});

const traced = async (config: Record<string, unknown>): Promise<{ j: Jobs; tracer: RecordingTracer }> => {
  const tracer = recordingTracer();
  jobs = await startJobs(config, { extraPlugins: [testTracerPlugin(tracer)] });
  return { j: jobs, tracer };
};

const ended = (tracer: RecordingTracer, name: string, count = 1): Promise<RecordedSpan[]> => tracer.waitForEnded(count, (s) => s.name === name);

describe('jobs tracing', () => {
  it('publish span (child of the producer) → stored headers → process span → the traceparent PHP sees', async () => {
    const { j, tracer } = await traced({ consume: ['a'], pipelines: { a: { driver: 'mem' } } });
    const id = await j.push('a', {}, { headers: { traceparent: [PRODUCER_PARENT], 'x-h': ['1', '2'] }, job: 'App\\Mail' });
    const [publish] = await ended(tracer, 'a publish');
    expect(publish).toMatchObject({ kind: 'producer', traceId: PRODUCER_TRACE, parentSpanId: PRODUCER_SPAN, remoteParent: true, status: 'unset' });
    expect(publish?.attributes).toEqual({
      'rr.plugin': 'jobs',
      'messaging.system': 'mem',
      'messaging.operation.type': 'publish',
      'messaging.destination.name': 'a',
      'messaging.message.id': id,
      'rr.jobs.job': 'App\\Mail',
    });
    // The driver stored the publish span's context in place of the producer's, in RoadRunner's
    // map<string, repeated string> and with the name RoadRunner writes (Go's canonical case).
    const stored = j.world.pushed[0]?.messages[0]?.headers;
    expect(stored).toEqual({ Traceparent: [`00-${PRODUCER_TRACE}-${publish?.spanId}-01`], 'x-h': ['1', '2'] });

    const [process] = await ended(tracer, 'a process');
    expect(process).toMatchObject({ kind: 'consumer', traceId: PRODUCER_TRACE, parentSpanId: publish?.spanId, status: 'unset' });
    expect(process?.attributes).toMatchObject({
      'rr.plugin': 'jobs',
      'messaging.system': 'mem',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'a',
      'messaging.message.id': id,
      'rr.jobs.attempts': 0,
      'rr.jobs.outcome': 'ack',
    });
    const [seen] = await j.waitSeen(1);
    expect(seen?.headers['x-h']).toEqual(['1', '2']);
    expect(Object.keys(seen?.headers ?? {}).sort()).toEqual(['Traceparent', 'x-h']);
    expect(seen?.headers['Traceparent']).toHaveLength(1);
    expect(parseTraceparent(seen?.headers['Traceparent'])).toEqual({ traceId: PRODUCER_TRACE, spanId: process?.spanId, sampled: true });
  });

  it('starts a trace at the push when the job carries none, and reads a producer context in any case', async () => {
    const { j, tracer } = await traced({ consume: [], pipelines: { a: { driver: 'mem' } } });
    await j.push('a', {});
    await j.push('a', {}, { headers: { TraceParent: [PRODUCER_PARENT] } });
    const [fresh, cased] = await ended(tracer, 'a publish', 2);
    expect(fresh?.parentSpanId).toBeUndefined();
    expect(cased).toMatchObject({ traceId: PRODUCER_TRACE, parentSpanId: PRODUCER_SPAN });
    // The producer's header is replaced, not doubled in another case.
    expect(j.world.pushed[1]?.messages[0]?.headers).toEqual({ Traceparent: [`00-${PRODUCER_TRACE}-${cased?.spanId}-01`] });
  });

  it('traces every job of a PushBatch with its own publish span', async () => {
    const { j, tracer } = await traced({ consume: [], pipelines: { a: { driver: 'mem' }, b: { driver: 'mem' } } });
    const job = (id: string, pipeline: string) => ({ job: 'J', id, payload: Buffer.from('{}'), headers: {}, options: { pipeline, priority: 0, delay: 0, auto_ack: false } });
    await j.call('PushBatch', jobsProto.encodePushBatch([job('1', 'a'), job('2', 'b'), job('3', 'a')]));
    const spans = await tracer.waitForEnded(3, (s) => s.kind === 'producer');
    expect(spans.map((s) => [s.name, s.attributes['messaging.message.id']])).toEqual([
      ['a publish', '1'],
      ['a publish', '3'],
      ['b publish', '2'],
    ]);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(3);
  });

  it('fails the publish span when the driver refuses the push', async () => {
    const { j, tracer } = await traced({ consume: [], pipelines: { broken: { driver: 'mem', config: { fail_push: true } } } });
    await expect(j.push('broken', {})).rejects.toMatchObject({ code: 'RR_ERR_JOBS_PUSH_FAILED' });
    const [publish] = await ended(tracer, 'broken publish');
    expect(publish?.status).toBe('error');
    expect(publish?.statusMessage).toMatch(/broker refused the push/);
  });

  it('records each outcome on the process span; failures are errors, requeues are not', async () => {
    const { j, tracer } = await traced({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { max_attempts: 2, retry_delay: '10ms' } } } });
    const ok = await j.push('a', { do: 'complete' });
    const failed = await j.push('a', { do: 'type', type: 1, data: { message: 'nope' } });
    const nacked = await j.push('a', { do: 'type', type: 3, data: { message: 'rejected' } });
    const requeued = await j.push('a', { do: 'type', type: 4, data: { headers: { 'x-done': ['1'] } } });
    const crashed = await j.push('a', { do: 'crash' });
    const errored = await j.push('a', { do: 'error' });
    // requeued runs twice (requeue, then ack), crashed and errored twice each (retry, then dropped).
    const spans = await tracer.waitForEnded(9, (s) => s.kind === 'consumer', 20_000);
    const by = (id: string) => spans.filter((s) => s.attributes['messaging.message.id'] === id).map((s) => [s.attributes['rr.jobs.outcome'], s.status]);
    expect(by(ok)).toEqual([['ack', 'unset']]);
    expect(by(failed)).toEqual([['error', 'error']]);
    expect(by(nacked)).toEqual([['nack', 'error']]);
    expect(by(requeued)).toEqual([
      ['requeue', 'unset'],
      ['ack', 'unset'],
    ]);
    expect(by(crashed)).toEqual([
      ['retry', 'error'],
      ['dropped', 'error'],
    ]);
    expect(by(errored)).toEqual([
      ['retry', 'error'],
      ['dropped', 'error'],
    ]);
    const crashes = spans.filter((s) => s.attributes['messaging.message.id'] === crashed);
    expect(crashes.map((s) => s.attributes['rr.jobs.attempts'])).toEqual([0, 1]);
    expect(crashes[0]?.statusMessage).toMatch(/RR_ERR_POOL_WORKER_CRASHED/);
    expect(spans.find((s) => s.attributes['messaging.message.id'] === errored)?.statusMessage).toMatch(/the job blew up/);
    // Every delivery of one job continues its publish span: retries and requeued copies keep the
    // stored context, not the previous attempt's.
    const publish = tracer.find('a publish').find((s) => s.attributes['messaging.message.id'] === crashed);
    expect(crashes.map((s) => s.parentSpanId)).toEqual([publish?.spanId, publish?.spanId]);
    await until(() => j.seen().filter((s) => s.id === crashed).length === 2, 5000, 'both attempts logged');
    const attempts = j.seen().filter((s) => s.id === crashed);
    expect(attempts[1]?.headers[ATTEMPTS_HEADER]).toEqual(['1']);
    expect(attempts.map((s) => parseTraceparent(s.headers['Traceparent'])?.spanId)).toEqual(crashes.map((s) => s.spanId));
  });
});

describe('jobs without a tracer', () => {
  it('stores and delivers headers exactly as pushed', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem' } } });
    await jobs.push('a', {}, { headers: { traceparent: [PRODUCER_PARENT], 'x-h': ['1'] } });
    await jobs.push('a', {}, { headers: { 'x-h': ['2'] } });
    const seen = await jobs.waitSeen(2);
    expect(jobs.world.pushed.map((p) => p.messages[0]?.headers)).toEqual([{ traceparent: [PRODUCER_PARENT], 'x-h': ['1'] }, { 'x-h': ['2'] }]);
    expect(seen.map((s) => s.headers)).toEqual([{ traceparent: [PRODUCER_PARENT], 'x-h': ['1'] }, { 'x-h': ['2'] }]);
  });
});

describe('trace headers of a job', () => {
  it('give the tracer the propagation headers under lower-case names, an exact lower-case name first', () => {
    expect(traceCarrierOf({ TraceParent: [PRODUCER_PARENT], Baggage: ['k=v'], 'X-Other': ['1'] })).toEqual({ traceparent: [PRODUCER_PARENT], baggage: ['k=v'] });
    expect(traceCarrierOf({ Traceparent: ['other'], traceparent: [PRODUCER_PARENT] })).toEqual({ traceparent: [PRODUCER_PARENT] });
    expect(traceCarrierOf({ traceparent: [PRODUCER_PARENT], TRACEPARENT: ['other'] })).toEqual({ traceparent: [PRODUCER_PARENT] });
    expect(traceCarrierOf({ 'x-h': ['1'] })).toEqual({});
  });

  it("replace the propagation headers in any case, named as RoadRunner names them, and keep odd names as own properties", () => {
    const tracer = recordingTracer();
    const span = tracer.startSpan('x');
    const headers = JSON.parse(`{"__proto__":["p"],"TRACEPARENT":["old"],"tracestate":["stale=1"],"keep":["k"]}`) as Record<string, string[]>;
    const out = withTraceContext(headers, span);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out).sort()).toEqual(['Traceparent', '__proto__', 'keep']);
    expect(out['Traceparent']).toEqual([`00-${span.traceId}-${span.spanId}-01`]);
    expect(headers['TRACEPARENT']).toEqual(['old']);
  });
});
