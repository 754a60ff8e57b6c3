import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { otelConfigSchema, type OtelConfigInput } from '../src/index.js';
import { createSpanExporter, exporterTarget, LoggingSpanExporter, OtelTracer, resolveSettings } from '../src/runtime.js';
import { startGrpcCollector, startHttpCollector, startRawGrpcCollector, type Collector } from './collectors.js';
import { lineSink } from './helpers.js';

const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_SPAN = '00f067aa0ba902b7';

/** The plugin's own assembly (settings → exporter → tracer), with streams and env of the test's choosing. */
async function exportingTracer(input: OtelConfigInput, env: Record<string, string> = {}) {
  const settings = resolveSettings(otelConfigSchema.parse(input), env, '0.0.0-test');
  const stdout = lineSink();
  const stderr = lineSink();
  const log = recordingLogger();
  const exporter = new LoggingSpanExporter(await createSpanExporter(settings, { stdout: stdout.stream, stderr: stderr.stream }), log, exporterTarget(settings));
  const tracer = new OtelTracer({ exporter, resource: settings.resource, scheduledDelayMillis: 50 });
  return { tracer, settings, stdout, stderr, log };
}

/** A small trace: a remote parent, a server span with attributes, a failed child with an exception. */
function emitTrace(tracer: OtelTracer) {
  const server = tracer.startSpan('GET /items', {
    kind: 'server',
    parent: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01` },
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, ok: true, ratio: 0.5 },
  });
  const child = tracer.startSpan('worker', { kind: 'internal', parent: server });
  child.fail('worker crashed', new Error('exit 1'));
  child.end();
  server.end();
  return { server, child };
}

describe('OTLP export', () => {
  const open: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });
  const track = <T extends { close(): Promise<unknown> }>(o: T): T => {
    open.push(o);
    return o;
  };
  const trackTracer = (t: Awaited<ReturnType<typeof exportingTracer>>) => {
    open.push({ close: () => t.tracer.shutdown() });
    return t;
  };

  async function httpRoundTrip(collector: Collector, input: OtelConfigInput, env: Record<string, string> = {}) {
    const t = trackTracer(await exportingTracer({ insecure: true, endpoint: `127.0.0.1:${collector.port}`, ...input }, env));
    const ids = emitTrace(t.tracer);
    const spans = await collector.waitForSpans(2);
    return { t, ids, spans };
  }

  it('sends OTLP/HTTP protobuf to /v1/traces: names, kinds, ids, parent ids, attributes, status, exception event, resource', async () => {
    const collector = track(await startHttpCollector());
    const { ids, spans } = await httpRoundTrip(collector, { resource: { service_name: 'shop', service_version: '9.9.9' } });
    expect(collector.exports[0]?.path).toBe('/v1/traces');
    expect(collector.exports[0]?.headers['content-type']).toBe('application/x-protobuf');
    const server = spans.find((s) => s.name === 'GET /items');
    const child = spans.find((s) => s.name === 'worker');
    expect(server).toMatchObject({
      traceId: REMOTE_TRACE,
      spanId: ids.server.spanId,
      parentSpanId: REMOTE_SPAN,
      kind: 'server',
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200, ok: true, ratio: 0.5 },
      status: { code: 'unset' },
      scope: { name: 'rr' },
    });
    expect(server?.resource).toMatchObject({ 'service.name': 'shop', 'service.version': '9.9.9', 'webengine.name': 'RoadRunner', 'telemetry.sdk.language': 'nodejs' });
    expect(child).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: ids.server.spanId, kind: 'internal', status: { code: 'error', message: 'worker crashed' } });
    expect(child?.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'exit 1' } });
    expect(server!.endTimeUnixNano).toBeGreaterThanOrEqual(server!.startTimeUnixNano);
    expect(server!.startTimeUnixNano).toBeGreaterThan(1_600_000_000_000_000_000n);
  });

  it('sends gzip-compressed requests with the configured headers, to custom_url as a path', async () => {
    const collector = track(await startHttpCollector());
    await httpRoundTrip(collector, { compress: true, headers: { 'X-Api-Key': 'secret', 'X-Tenant': 7 }, custom_url: '/otlp/v1/traces' });
    const [first] = collector.exports;
    expect(first?.path).toBe('/otlp/v1/traces');
    expect(first?.headers['content-encoding']).toBe('gzip');
    expect(first?.headers['x-api-key']).toBe('secret');
    expect(first?.headers['x-tenant']).toBe('7');
  });

  it('sends to custom_url as a full URL, ignoring endpoint', async () => {
    const collector = track(await startHttpCollector());
    const t = trackTracer(await exportingTracer({ endpoint: '127.0.0.1:1', custom_url: `${collector.address}/full/path` }));
    emitTrace(t.tracer);
    await collector.waitForSpans(2);
    expect(collector.exports[0]?.path).toBe('/full/path');
  });

  it('sends OTLP/HTTP JSON with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json', async () => {
    const collector = track(await startHttpCollector());
    const { ids, spans } = await httpRoundTrip(collector, {}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' });
    expect(collector.exports[0]?.headers['content-type']).toBe('application/json');
    expect(spans.find((s) => s.name === 'worker')).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: ids.server.spanId, status: { code: 'error' } });
  });

  it('sends OTLP/gRPC with metadata and gzip', async () => {
    const collector = track(await startGrpcCollector());
    const t = trackTracer(await exportingTracer({ client: 'grpc', insecure: true, endpoint: collector.address, compress: true, headers: { 'X-Api-Key': 'grpc-secret' } }));
    const { server } = emitTrace(t.tracer);
    const spans = await collector.waitForSpans(2);
    expect(spans.find((s) => s.name === 'GET /items')).toMatchObject({ traceId: REMOTE_TRACE, spanId: server.spanId, parentSpanId: REMOTE_SPAN, kind: 'server' });
    expect(spans.find((s) => s.name === 'worker')?.status.code).toBe('error');
    expect(collector.exports[0]?.headers['x-api-key']).toBe('grpc-secret');
  });

  it('gzips gRPC messages with compress: true (grpc-encoding and the compressed flag on the wire)', async () => {
    for (const compress of [true, false]) {
      const collector = track(await startRawGrpcCollector());
      const t = trackTracer(await exportingTracer({ client: 'grpc', insecure: true, endpoint: collector.address, compress }));
      emitTrace(t.tracer);
      expect(await collector.waitForSpans(2)).toHaveLength(2);
      const [first] = collector.exports;
      expect(first?.path).toBe('/opentelemetry.proto.collector.trace.v1.TraceService/Export');
      expect(first?.headers['x-grpc-compressed-flag']).toBe(compress ? '1' : '0');
      if (compress) expect(first?.headers['grpc-encoding']).toBe('gzip');
    }
  });

  it('takes the gRPC client from OTEL_EXPORTER_OTLP_PROTOCOL=grpc', async () => {
    const collector = track(await startGrpcCollector());
    const t = trackTracer(await exportingTracer({ insecure: true, endpoint: collector.address }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }));
    expect(t.settings.client).toBe('grpc');
    emitTrace(t.tracer);
    expect(await collector.waitForSpans(2)).toHaveLength(2);
  });

  it('exports every queued span on shutdown, before the batch delay', async () => {
    const collector = track(await startHttpCollector());
    const settings = resolveSettings(otelConfigSchema.parse({ insecure: true, endpoint: `127.0.0.1:${collector.port}` }), {}, 'x');
    const tracer = new OtelTracer({ exporter: await createSpanExporter(settings, { stdout: lineSink().stream, stderr: lineSink().stream }), resource: settings.resource, scheduledDelayMillis: 60_000 });
    for (let i = 0; i < 25; i++) tracer.startSpan(`span-${i}`).end();
    expect(collector.spans()).toHaveLength(0);
    expect(await tracer.shutdown(Date.now() + 5000)).toBe(true);
    expect(collector.spans().map((s) => s.name).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `span-${i}`).sort());
    // After shutdown the tracer still answers (the contract: never throws), it just exports nothing.
    expect(() => tracer.startSpan('late').end()).not.toThrow();
  });

  it('logs one warning when the collector fails, and shutdown still resolves', async () => {
    const collector = track(await startHttpCollector({ status: 400 }));
    const t = await exportingTracer({ insecure: true, endpoint: `127.0.0.1:${collector.port}` });
    emitTrace(t.tracer);
    await collector.waitForSpans(2);
    await t.tracer.forceFlush();
    t.tracer.startSpan('again').end();
    expect(await t.tracer.forceFlush()).toBe(false);
    await t.tracer.shutdown(Date.now() + 5000);
    const warnings = t.log.find('span export failed; spans are lost until the collector answers');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toMatchObject({ code: 'RR_WARN_OTEL_EXPORT_FAILED', target: expect.stringContaining(`127.0.0.1:${collector.port}/v1/traces`) });
  });

  it('gives up at the deadline when the collector never answers', async () => {
    // A server that accepts and never responds.
    const sockets: Socket[] = [];
    const silent = createNetServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    track({ close: () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); silent.close(() => resolve()); }) });
    const port = (silent.address() as AddressInfo).port;
    const t = await exportingTracer({ insecure: true, endpoint: `127.0.0.1:${port}` });
    t.tracer.startSpan('stuck').end();
    const started = Date.now();
    expect(await t.tracer.shutdown(Date.now() + 300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('stdout/stderr exporter', () => {
  it('writes one JSON object per line per span to stdout', async () => {
    const t = await exportingTracer({ exporter: 'stdout', resource: { service_name: 'lines' } });
    const { server, child } = emitTrace(t.tracer);
    expect(await t.tracer.shutdown(Date.now() + 5000)).toBe(true);
    const lines = t.stdout.lines();
    expect(lines).toHaveLength(2);
    expect(t.stderr.lines()).toHaveLength(0);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const first = parsed.find((p) => p.name === 'worker');
    expect(first).toMatchObject({
      name: 'worker',
      kind: 'internal',
      traceId: REMOTE_TRACE,
      spanId: child.spanId,
      parentSpanId: server.spanId,
      status: { code: 'error', message: 'worker crashed' },
      events: [{ name: 'exception', attributes: { 'exception.message': 'exit 1' } }],
      resource: { 'service.name': 'lines' },
      scope: { name: 'rr' },
    });
    expect(first?.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(typeof first?.durationMs).toBe('number');
    expect(parsed.find((p) => p.name === 'GET /items')).toMatchObject({ kind: 'server', parentSpanId: REMOTE_SPAN, attributes: { 'http.response.status_code': 200 }, status: { code: 'unset' } });
  });

  it('writes to stderr with exporter: stderr', async () => {
    const t = await exportingTracer({ exporter: 'stderr' });
    t.tracer.startSpan('to-stderr', { kind: 'producer' }).end();
    await t.tracer.shutdown();
    expect(t.stdout.lines()).toEqual([]);
    expect(t.stderr.lines().map((l) => JSON.parse(l) as { name: string; kind: string })).toMatchObject([{ name: 'to-stderr', kind: 'producer' }]);
  });
});
