import { httpMiddlewaresRef, tracerRef, type TraceSpan } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { parseTraceparent, recordingTracer, testTracerPlugin, type RecordedSpan, type RecordingTracer } from '@rr/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { send } from './helpers/client.js';
import { startHttp, type RunningHttp } from './helpers/start.js';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const CLIENT_PARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;

/** What the fixture's /echo route saw, headers only. */
const echoed = async (url: string, headers: Record<string, string> = {}): Promise<Record<string, string[]>> => {
  const res = await send(`${url}/echo`, { headers });
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { headers: Record<string, string[]> }).headers;
};

/**
 * Stands in for the otel plugin's HTTP middleware (plugins never import plugins): a SERVER span per
 * request, its context injected into `req.headers` before the http plugin runs, ended with the response.
 */
function otelMiddlewarePlugin(): Plugin {
  return definePlugin({
    id: 'mw_otel',
    kernel: '^1.0.0',
    needs: { tracer: tracerRef },
    provides: { middleware: httpMiddlewaresRef },
    init: ({ needs }) => ({
      provides: {
        middleware: {
          name: 'otel',
          handle(req, res, next) {
            const span: TraceSpan = needs.tracer.startSpan(`${req.method ?? 'GET'}`, { kind: 'server', parent: req.headers });
            span.inject(req.headers as Record<string, string | string[] | undefined>);
            res.once('close', () => span.end());
            next();
          },
        },
      },
    }),
  });
}

const execSpans = (tracer: RecordingTracer, count = 1): Promise<RecordedSpan[]> => tracer.waitForEnded(count, (s) => s.name === 'worker.exec');

describe('tracing with a tracer and no otel middleware', () => {
  const tracer = recordingTracer();
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({ worker: 'http-worker.php', plugins: [testTracerPlugin(tracer)], http: { pool: { supervisor: { exec_ttl: '300ms' } } } });
  });
  afterAll(() => rr?.stop());
  afterEach(() => tracer.clear());

  it("continues the client's traceparent with a worker.exec span and hands PHP a traceparent naming it", async () => {
    const headers = await echoed(rr.url, { traceparent: CLIENT_PARENT, tracestate: 'vendor=1' });
    const [exec] = await execSpans(tracer);
    expect(exec).toMatchObject({
      name: 'worker.exec',
      kind: 'internal',
      traceId: CLIENT_TRACE,
      parentSpanId: CLIENT_SPAN,
      remoteParent: true,
      status: 'unset',
      ended: true,
    });
    expect(exec?.attributes).toEqual({
      'rr.plugin': 'http',
      'process.pid': process.pid,
      'http.request.method': 'GET',
      'url.path': '/echo',
      'http.response.status_code': 200,
    });
    // PHP sees one Traceparent (canonical name, as every header), whose parent is the exec span.
    expect(headers['Traceparent']).toHaveLength(1);
    expect(parseTraceparent(headers['Traceparent'])).toEqual({ traceId: CLIENT_TRACE, spanId: exec?.spanId, sampled: true });
    expect(headers['Tracestate']).toEqual(['vendor=1']);
  });

  it('starts a new trace when the request carries none, or an invalid one (whose tracestate is dropped)', async () => {
    const headers = await echoed(rr.url);
    const invalid = await echoed(rr.url, { traceparent: 'not-a-traceparent', tracestate: 'stale=1' });
    const [exec, second] = await execSpans(tracer, 2);
    expect(exec?.parentSpanId).toBeUndefined();
    expect(parseTraceparent(headers['Traceparent'])).toMatchObject({ traceId: exec?.traceId, spanId: exec?.spanId });
    expect(second?.parentSpanId).toBeUndefined();
    expect(parseTraceparent(invalid['Traceparent'])).toMatchObject({ traceId: second?.traceId, spanId: second?.spanId });
    expect(invalid['Tracestate']).toBeUndefined();
  });

  it('marks the span failed on a worker error (500 from rr)', async () => {
    const res = await send(`${rr.url}/error`);
    expect(res.status).toBe(500);
    const [exec] = await execSpans(tracer);
    expect(exec).toMatchObject({ status: 'error', attributes: { 'http.response.status_code': 500 } });
    expect(exec?.statusMessage).toContain('boom');
    expect(exec?.exceptions).toHaveLength(1);
  });

  it('marks the span failed when the worker runs past exec_ttl', async () => {
    const res = await send(`${rr.url}/slow?ms=3000`);
    expect(res.status).toBe(500);
    const [exec] = await execSpans(tracer);
    expect(exec?.status).toBe('error');
    expect(exec?.statusMessage).toMatch(/exec_ttl/);
  });

  it("marks the span failed for the worker's own 5xx, not for a 4xx", async () => {
    expect((await send(`${rr.url}/status/503`)).status).toBe(503);
    expect((await send(`${rr.url}/status/404`)).status).toBe(404);
    const spans = await execSpans(tracer, 2);
    expect(spans.map((s) => [s.attributes['http.response.status_code'], s.status, s.statusMessage])).toEqual([
      [503, 'error', 'HTTP 503'],
      [404, 'unset', undefined],
    ]);
  });

  it('ends the span of a streamed response when the stream ends', async () => {
    const res = await send(`${rr.url}/stream?n=3&delay=60`);
    expect(res.text).toBe('chunk 0\nchunk 1\nchunk 2\nend\n');
    const [exec] = await execSpans(tracer);
    expect(exec?.status).toBe('unset');
    // Three chunks 60 ms apart: the span covers all of them, not just the first frame.
    expect((exec?.endTime ?? 0) - (exec?.startTime ?? 0)).toBeGreaterThanOrEqual(170);
  });
});

describe('tracing behind the otel middleware', () => {
  const tracer = recordingTracer();
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({ worker: 'http-worker.php', plugins: [testTracerPlugin(tracer), otelMiddlewarePlugin()], http: { middleware: ['otel'] } });
  });
  afterAll(() => rr?.stop());

  it('makes worker.exec a child of the SERVER span, and PHP a child of worker.exec: one trace from the client to PHP', async () => {
    const headers = await echoed(rr.url, { traceparent: CLIENT_PARENT });
    const [server] = await tracer.waitForEnded(1, (s) => s.kind === 'server');
    const [exec] = await execSpans(tracer);
    expect(server).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: CLIENT_SPAN });
    expect(exec).toMatchObject({ traceId: CLIENT_TRACE, parentSpanId: server?.spanId, kind: 'internal' });
    expect(parseTraceparent(headers['Traceparent'])?.spanId).toBe(exec?.spanId);
  });
});

describe('without a tracer', () => {
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({ worker: 'http-worker.php' });
  });
  afterAll(() => rr?.stop());

  it("passes the client's traceparent through untouched and adds none", async () => {
    expect((await echoed(rr.url, { traceparent: CLIENT_PARENT }))['Traceparent']).toEqual([CLIENT_PARENT]);
    const headers = await echoed(rr.url);
    expect(Object.keys(headers).filter((k) => /^(traceparent|tracestate|baggage)$/i.test(k))).toEqual([]);
  });
});
