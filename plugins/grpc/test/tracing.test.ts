import * as grpc from '@grpc/grpc-js';
import { parseTraceparent, recordingTracer, testTracerPlugin, type RecordedSpan } from '@rr/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { echoClient, startGrpc, unary, type AnyMethod, type DynClient, type RunningGrpc } from './helpers/grpc.js';
import { TRACE_WORKER } from './helpers/server-plugin.js';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const CLIENT_PARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;

/** The metadata lists the fixture's Say saw, as it echoed them. */
const say = async (client: DynClient, metadata = new grpc.Metadata()): Promise<Record<string, string[]>> => {
  const { reply } = await unary<{ text: string }>(client, 'Say', { text: 'x' }, metadata);
  return JSON.parse(reply.text) as Record<string, string[]>;
};

const withParent = (): grpc.Metadata => {
  const md = new grpc.Metadata();
  md.set('traceparent', CLIENT_PARENT);
  md.set('tracestate', 'vendor=1');
  return md;
};

const countAll = (client: DynClient, n: number): Promise<number[]> =>
  new Promise((resolve, reject) => {
    const got: number[] = [];
    const call = (client['Count'] as AnyMethod).call(client, { n, delay_ms: 50 }) as grpc.ClientReadableStream<{ i: number }>;
    call.on('data', (m: { i: number }) => got.push(m.i));
    call.on('error', reject);
    call.on('end', () => resolve(got));
  });

describe('grpc tracing', () => {
  const tracer = recordingTracer();
  let rr: RunningGrpc;
  let client: DynClient;
  beforeAll(async () => {
    rr = await startGrpc({ interceptors: ['otel'] }, [testTracerPlugin(tracer)], TRACE_WORKER);
    client = echoClient(rr.address);
  });
  afterAll(async () => {
    client?.close();
    await rr?.stop();
  });
  afterEach(() => tracer.clear());

  const serverSpans = (count = 1): Promise<RecordedSpan[]> => tracer.waitForEnded(count, (s) => s.kind === 'server');

  it("a SERVER span per call, child of the client's traceparent; PHP's metadata names the span", async () => {
    const seen = await say(client, withParent());
    const [span] = await serverSpans();
    expect(span).toMatchObject({ name: 'test.Echo/Say', kind: 'server', traceId: CLIENT_TRACE, parentSpanId: CLIENT_SPAN, remoteParent: true, status: 'unset' });
    expect(span?.attributes).toEqual({
      'rr.plugin': 'grpc',
      'rpc.system': 'grpc',
      'rpc.service': 'test.Echo',
      'rpc.method': 'Say',
      'process.pid': process.pid,
      'rpc.grpc.status_code': 0,
    });
    expect(seen['traceparent']).toHaveLength(1);
    expect(parseTraceparent(seen['traceparent'])).toEqual({ traceId: CLIENT_TRACE, spanId: span?.spanId, sampled: true });
    expect(seen['tracestate']).toEqual(['vendor=1']);
  });

  it('starts a trace for a call without one, and takes no warning for the otel interceptor', async () => {
    const seen = await say(client);
    const [span] = await serverSpans();
    expect(span?.parentSpanId).toBeUndefined();
    expect(parseTraceparent(seen['traceparent'])?.spanId).toBe(span?.spanId);
    expect(rr.logger.find(/interceptor/)).toEqual([]);
  });

  it('fails the span on server-fault statuses; a caller error keeps it unset', async () => {
    await expect(unary(client, 'Fail', { message: 'kaput', plain: true })).rejects.toMatchObject({ code: grpc.status.INTERNAL });
    await expect(unary(client, 'Fail', { code: grpc.status.UNAVAILABLE, message: 'later' })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    await expect(unary(client, 'Fail', { code: grpc.status.NOT_FOUND, message: 'none' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    const spans = await serverSpans(3);
    expect(spans.map((s) => [s.name, s.attributes['rpc.grpc.status_code'], s.status])).toEqual([
      ['test.Echo/Fail', grpc.status.INTERNAL, 'error'],
      ['test.Echo/Fail', grpc.status.UNAVAILABLE, 'error'],
      ['test.Echo/Fail', grpc.status.NOT_FOUND, 'unset'],
    ]);
    expect(spans[0]?.statusMessage).toContain('kaput');
    expect(spans[1]?.statusMessage).toBe('later');
  });

  it('ends the span of a server stream when the stream ends', async () => {
    expect(await countAll(client, 4)).toEqual([1, 2, 3, 4]);
    const [span] = await serverSpans();
    expect(span).toMatchObject({ name: 'test.Echo/Count', status: 'unset', attributes: { 'rpc.grpc.status_code': 0 } });
    // Four replies 50 ms apart: the span covers the stream, not just the first frame.
    expect((span?.endTime ?? 0) - (span?.startTime ?? 0)).toBeGreaterThanOrEqual(140);
  });
});

describe('grpc without a tracer', () => {
  let rr: RunningGrpc;
  let client: DynClient;
  beforeAll(async () => {
    rr = await startGrpc({ interceptors: ['otel'] }, [], TRACE_WORKER);
    client = echoClient(rr.address);
  });
  afterAll(async () => {
    client?.close();
    await rr?.stop();
  });

  it("passes the client's metadata through untouched and adds no trace context", async () => {
    expect((await say(client, withParent()))['traceparent']).toEqual([CLIENT_PARENT]);
    const seen = await say(client);
    expect(Object.keys(seen).filter((k) => /^(traceparent|tracestate|baggage)$/i.test(k))).toEqual([]);
  });

  it('warns that the otel interceptor needs the otel section', () => {
    expect(rr.logger.find("grpc interceptor 'otel' has no effect without the otel section: calls are not traced", 'warn')).toHaveLength(1);
  });
});
