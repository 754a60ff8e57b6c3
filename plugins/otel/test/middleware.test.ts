import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { httpRequestState, type HttpMiddleware } from '@rr/contracts';
import { requestRaw, serveMiddleware, type MiddlewareServer } from '@rr/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOtelMiddleware, type OtelTracer } from '../src/runtime.js';
import { memoryTracer, TRACEPARENT_RE } from './helpers.js';

const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_SPAN = '00f067aa0ba902b7';

/** What the PHP stand-in saw: every request header line as sent on to PHP (rawHeaders). */
interface PhpView {
  lines: [string, string][];
}

function phpLines(req: IncomingMessage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) out.push([(req.rawHeaders[i] as string).toLowerCase(), req.rawHeaders[i + 1] as string]);
  return out;
}

/** PHP stand-in: answers `status` with the header lines it received as JSON. */
function php(status = 200) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const view: PhpView = { lines: phpLines(req) };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(view));
  };
}

const values = (view: PhpView, name: string) => view.lines.filter(([n]) => n === name).map(([, v]) => v);

describe('otel middleware', () => {
  let t: ReturnType<typeof memoryTracer>;
  let server: MiddlewareServer | undefined;
  beforeEach(() => {
    t = memoryTracer();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await t.close();
  });

  async function serve(inner: (req: IncomingMessage, res: ServerResponse) => void, wrap?: (m: HttpMiddleware) => HttpMiddleware) {
    const middleware = createOtelMiddleware(t.tracer);
    server = await serveMiddleware(wrap ? wrap(middleware) : middleware, inner);
    return server.port;
  }

  async function spans(count: number): Promise<ReadableSpan[]> {
    // The span ends on the response's 'finish', which may come a tick after the client has read it.
    for (let i = 0; i < 50; i++) {
      const done = await t.finished();
      if (done.length >= count) return done;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return t.finished();
  }

  it('is named otel', () => {
    expect(createOtelMiddleware(t.tracer).name).toBe('otel');
  });

  it('records a SERVER span with the HTTP semantic-convention attributes and hands its context to PHP', async () => {
    const port = await serve(php());
    const res = await requestRaw(port, { path: '/items/42?sort=asc', headers: { 'user-agent': 'test-agent/1.0' } });
    expect(res.status).toBe(200);
    const view = JSON.parse(res.body.toString()) as PhpView;
    const [span] = await spans(1);
    expect(span?.name).toBe('GET /items/42');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.path': '/items/42',
      'url.query': 'sort=asc',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': port,
      'client.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'network.peer.port': expect.any(Number),
      'network.protocol.version': '1.1',
      'user_agent.original': 'test-agent/1.0',
      'http.response.status_code': 200,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    // PHP gets exactly one traceparent: this span's.
    expect(values(view, 'traceparent')).toEqual([`00-${span?.spanContext().traceId}-${span?.spanContext().spanId}-01`]);
    expect(values(view, 'uber-trace-id')).toHaveLength(1);
  });

  it('continues the client trace: the span is the child of the incoming traceparent, PHP the child of the span', async () => {
    const port = await serve(php());
    const res = await requestRaw(port, {
      path: '/',
      headers: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`, tracestate: 'congo=t61rcWkgMzE', baggage: 'user=42' },
    });
    const view = JSON.parse(res.body.toString()) as PhpView;
    const [span] = await spans(1);
    expect(span?.spanContext().traceId).toBe(REMOTE_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(REMOTE_SPAN);
    const traceparents = values(view, 'traceparent');
    expect(traceparents).toHaveLength(1);
    const [, traceId, parentId] = TRACEPARENT_RE.exec(traceparents[0] as string) ?? [];
    expect(traceId).toBe(REMOTE_TRACE);
    expect(parentId).toBe(span?.spanContext().spanId);
    expect(values(view, 'tracestate')).toEqual(['congo=t61rcWkgMzE']);
    expect(values(view, 'baggage')).toEqual(['user=42']);
  });

  it('continues a Jaeger client trace (uber-trace-id)', async () => {
    const port = await serve(php());
    await requestRaw(port, { headers: { 'uber-trace-id': `${REMOTE_TRACE}:${REMOTE_SPAN}:0:1` } });
    const [span] = await spans(1);
    expect(span?.spanContext().traceId).toBe(REMOTE_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(REMOTE_SPAN);
  });

  it('the next hop (the http plugin\'s worker span) becomes a child through req.headers', async () => {
    let inner: { traceId: string; spanId: string } | undefined;
    const tracer: OtelTracer = t.tracer;
    const port = await serve((req, res) => {
      const exec = tracer.startSpan('worker exec', { kind: 'internal', parent: req.headers });
      inner = { traceId: exec.traceId, spanId: exec.spanId };
      exec.end();
      res.end('ok');
    });
    await requestRaw(port, { headers: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01` } });
    const done = await spans(2);
    const serverSpan = done.find((s) => s.kind === SpanKind.SERVER);
    const execSpan = done.find((s) => s.name === 'worker exec');
    expect(inner?.traceId).toBe(REMOTE_TRACE);
    expect(execSpan?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(REMOTE_SPAN);
  });

  it('marks 5xx ERROR with error.type, and leaves 4xx unset', async () => {
    let status = 503;
    const port = await serve((req, res) => php(status)(req, res));
    await requestRaw(port, { method: 'POST', path: '/fail' });
    status = 404;
    await requestRaw(port, { path: '/missing' });
    const done = await spans(2);
    const failed = done.find((s) => s.name === 'POST /fail');
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: '503 Service Unavailable' });
    expect(failed?.attributes).toMatchObject({ 'http.response.status_code': 503, 'error.type': '503' });
    const missing = done.find((s) => s.name === 'GET /missing');
    expect(missing?.status.code).toBe(SpanStatusCode.UNSET);
    expect(missing?.attributes['http.response.status_code']).toBe(404);
    expect(missing?.attributes['error.type']).toBeUndefined();
  });

  it('ends the span as failed when the client goes away before the response', async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const port = await serve(() => arrived());
    const req = request({ host: '127.0.0.1', port, path: '/slow', agent: false });
    req.on('error', () => undefined);
    req.end();
    await reached;
    req.destroy();
    const [span] = await spans(1);
    expect(span?.name).toBe('GET /slow');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connection closed before the response was complete' });
    expect(span?.attributes['http.response.status_code']).toBeUndefined();
  });

  it('reports an unknown method as _OTHER and names the span HTTP <path>', async () => {
    const port = await serve(php());
    await requestRaw(port, { method: 'PURGE', path: '/cache' });
    const [span] = await spans(1);
    expect(span?.name).toBe('HTTP /cache');
    expect(span?.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
  });

  it('takes client.address from proxy_ip_parser when it ran first, and server.address/port from Host', async () => {
    const port = await serve(php(), (otel) => ({
      name: 'otel',
      handle(req, res, next) {
        httpRequestState(req).remoteAddr = '203.0.113.9';
        otel.handle(req, res, next);
      },
    }));
    await requestRaw(port, { headers: { host: '[2001:db8::1]:8443' } });
    const [span] = await spans(1);
    expect(span?.attributes).toMatchObject({ 'client.address': '203.0.113.9', 'network.peer.address': '127.0.0.1', 'server.address': '2001:db8::1', 'server.port': 8443 });
  });
});
