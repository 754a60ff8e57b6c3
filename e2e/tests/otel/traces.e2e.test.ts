import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpHttpCollector, type Collector, type OtlpSpan } from '@rr/testkit';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';

let rr: RrProcess | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
  await collector?.close();
  collector = undefined;
});

const worker = `${repoRoot}/e2e/workers/traced.php`;

/** rr with the otel section exporting to `collector` (OTLP/HTTP protobuf), the otel middleware, and a jobs pipeline. */
function tracedConfig(c: Collector, rpcPort: number): string {
  return `version: "3"
server:
  command: "php ${worker}"
http:
  address: 127.0.0.1:0
  middleware: ["otel"]
  pool:
    num_workers: 1
    allocate_timeout: 10s
rpc:
  listen: tcp://127.0.0.1:${rpcPort}
jobs:
  consume: [traced]
  pool:
    num_workers: 1
    allocate_timeout: 10s
  pipelines:
    traced:
      driver: memory
otel:
  client: http
  endpoint: 127.0.0.1:${c.port}
  insecure: true
  resource:
    service_name: rr-e2e
logs:
  mode: production
  level: info
`;
}

/** The W3C traceparent of a span, as a PHP worker reads it. */
const traceparentOf = (s: OtlpSpan) => `00-${s.traceId}-${s.spanId}-01`;

async function start(c: Collector): Promise<RrProcess> {
  // PHP exports its own spans (OTLP/JSON) to the same collector, and pushes jobs over RPC (RR_RPC is
  // the configured address, so it needs a real port).
  return startRr({ config: tracedConfig(c, await freePort()), env: { RR_PHP_SDK: phpSdk, OTEL_EXPORTER_OTLP_ENDPOINT: c.address, OTEL_SERVICE_NAME: 'php-e2e' } });
}

describe('OpenTelemetry: one trace across the client, rr and PHP', () => {
  it('links the client span, the otel server span, worker.exec and the PHP span as parent and child', async () => {
    collector = await startOtlpHttpCollector();
    rr = await start(collector);
    const clientTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpan = '00f067aa0ba902b7';
    const res = await fetch(`${rr.httpUrl}/hello?x=1`, { headers: { traceparent: `00-${clientTrace}-${clientSpan}-01` } });
    expect(res.status).toBe(200);
    const php = (await res.json()) as { traceparent: string; span: string };

    const spans = await collector.waitForSpans(3);
    const server = spans.find((s) => s.name === 'GET /hello');
    const exec = spans.find((s) => s.name === 'worker.exec');
    const phpSpan = spans.find((s) => s.name === 'php.handle');
    expect(server).toMatchObject({ kind: 'server', traceId: clientTrace, parentSpanId: clientSpan });
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/hello', 'http.response.status_code': 200 });
    expect(exec).toMatchObject({ kind: 'internal', traceId: clientTrace, parentSpanId: server?.spanId });
    // PHP received the exec span's context and made its span that span's child.
    expect(php.traceparent).toBe(traceparentOf(exec as OtlpSpan));
    expect(phpSpan).toMatchObject({ traceId: clientTrace, parentSpanId: exec?.spanId });
    expect(traceparentOf(phpSpan as OtlpSpan)).toBe(php.span);
    // rr's spans and PHP's came from two processes, named by their resources.
    expect(server?.resource['service.name']).toBe('rr-e2e');
    expect(phpSpan?.resource['service.name']).toBe('php-e2e');
  });

  it('starts a new trace without a client traceparent, and marks a 5xx answer failed', async () => {
    collector = await startOtlpHttpCollector();
    rr = await start(collector);
    expect((await fetch(`${rr.httpUrl}/fail`)).status).toBe(500);
    const spans = await collector.waitForSpans(3);
    const server = spans.find((s) => s.name === 'GET /fail');
    const exec = spans.find((s) => s.name === 'worker.exec');
    expect(server?.parentSpanId).toBe('');
    expect(server?.status.code).toBe('error');
    expect(exec?.status.code).toBe('error');
    expect(spans.find((s) => s.name === 'php.handle')).toMatchObject({ traceId: server?.traceId, parentSpanId: exec?.spanId, status: { code: 'error' } });
  });

  it('carries the trace through a job: PHP pushes, rr publishes and processes, the PHP consumer continues it', async () => {
    collector = await startOtlpHttpCollector();
    rr = await start(collector);
    const res = await fetch(`${rr.httpUrl}/push`);
    expect(res.status).toBe(200);
    const php = (await res.json()) as { span: string };
    const traceId = php.span.split('-')[1];

    // server, worker.exec, php.handle, jobs.Push (rpc), traced publish, traced process, php.job
    const spans = await collector.waitForSpans(7);
    const inTrace = spans.filter((s) => s.traceId === traceId);
    const handle = inTrace.find((s) => s.name === 'php.handle');
    const publish = inTrace.find((s) => s.kind === 'producer');
    const processSpan = inTrace.find((s) => s.kind === 'consumer' && s.resource['service.name'] === 'rr-e2e');
    const job = inTrace.find((s) => s.name === 'php.job');
    expect(traceparentOf(handle as OtlpSpan)).toBe(php.span);
    // The PHP producer's span is the parent of rr's publish span (its context travelled in the job's headers) …
    expect(publish).toMatchObject({ parentSpanId: handle?.spanId });
    expect(publish?.attributes).toMatchObject({ 'messaging.destination.name': 'traced', 'messaging.system': 'memory' });
    // … which the process span continues, and the PHP consumer's span is the child of that.
    expect(processSpan).toMatchObject({ parentSpanId: publish?.spanId });
    expect(job).toMatchObject({ parentSpanId: processSpan?.spanId, kind: 'consumer' });
    // The goridge RPC call itself is traced too, in a trace of its own (goridge frames carry no context).
    expect(spans.some((s) => s.name === 'jobs.Push' && s.kind === 'server')).toBe(true);
  });
});
