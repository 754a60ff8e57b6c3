import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { TraceSpan } from '@rr/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryTracer, TRACEPARENT_RE } from './helpers.js';

const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_SPAN = '00f067aa0ba902b7';

describe('OtelTracer propagation', () => {
  let t = memoryTracer();
  afterEach(async () => {
    await t.close();
    t = memoryTracer();
  });

  it('starts a new trace without a parent and injects a W3C traceparent', async () => {
    const span = t.tracer.startSpan('root');
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    const carrier: Record<string, string | string[] | undefined> = {};
    span.inject(carrier);
    expect(carrier.traceparent).toBe(`00-${span.traceId}-${span.spanId}-01`);
    expect(carrier.traceparent).toMatch(TRACEPARENT_RE);
    // RoadRunner's composite propagator also writes Jaeger's header.
    expect(carrier['uber-trace-id']).toBe(`${span.traceId}:${span.spanId}:0:01`);
    expect(carrier.tracestate).toBeUndefined();
    expect(carrier.baggage).toBeUndefined();
    span.end();
    const [exported] = await t.finished();
    expect(exported?.parentSpanContext).toBeUndefined();
    expect(exported?.kind).toBe(SpanKind.INTERNAL);
  });

  it('continues a remote trace from headers: traceparent, tracestate and baggage survive to the next hop', async () => {
    const incoming = {
      traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`,
      tracestate: 'vendor=abc,other=1',
      baggage: 'user=42,tenant=acme',
    };
    const span = t.tracer.startSpan('server', { kind: 'server', parent: incoming });
    expect(span.traceId).toBe(REMOTE_TRACE);
    expect(span.spanId).not.toBe(REMOTE_SPAN);
    const out: Record<string, string | string[] | undefined> = {};
    span.inject(out);
    expect(out.traceparent).toBe(`00-${REMOTE_TRACE}-${span.spanId}-01`);
    expect(out.tracestate).toBe('vendor=abc,other=1');
    expect(String(out.baggage).split(',').sort()).toEqual(['tenant=acme', 'user=42']);
    span.end();
    const [exported] = await t.finished();
    expect(exported?.parentSpanContext?.spanId).toBe(REMOTE_SPAN);
    expect(exported?.parentSpanContext?.isRemote).toBe(true);
    expect(exported?.kind).toBe(SpanKind.SERVER);
  });

  it('reads header names in any case and list values by their first element', () => {
    const span = t.tracer.startSpan('x', { parent: { TraceParent: [`00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`, 'junk'] } });
    expect(span.traceId).toBe(REMOTE_TRACE);
    span.end();
  });

  it("continues a Jaeger trace from uber-trace-id (and its uberctx- baggage)", async () => {
    const span = t.tracer.startSpan('from-jaeger', { parent: { 'uber-trace-id': `${REMOTE_TRACE}:${REMOTE_SPAN}:0:1`, 'uberctx-user': 'bob' } });
    expect(span.traceId).toBe(REMOTE_TRACE);
    const out: Record<string, string | string[] | undefined> = {};
    span.inject(out);
    expect(out.traceparent).toBe(`00-${REMOTE_TRACE}-${span.spanId}-01`);
    expect(out.baggage).toBe('user=bob');
    span.end();
    expect((await t.finished())[0]?.parentSpanContext?.spanId).toBe(REMOTE_SPAN);
  });

  it('starts a new trace when the headers carry an invalid traceparent', () => {
    for (const bad of ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'garbage', `00-${REMOTE_TRACE}-0000000000000000-01`, `00-${REMOTE_TRACE.toUpperCase()}-${REMOTE_SPAN}-01`]) {
      const span = t.tracer.startSpan('x', { parent: { traceparent: bad } });
      expect(span.traceId).not.toBe(REMOTE_TRACE);
      expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
      span.end();
    }
  });

  it('propagates an unsampled parent as unsampled and exports nothing for it', async () => {
    const span = t.tracer.startSpan('quiet', { parent: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-00` } });
    const out: Record<string, string | string[] | undefined> = {};
    span.inject(out);
    expect(out.traceparent).toMatch(new RegExp(`^00-${REMOTE_TRACE}-[0-9a-f]{16}-00$`));
    span.end();
    expect(await t.finished()).toEqual([]);
  });

  it('makes a span the parent of another (same trace, parent span id), baggage included', async () => {
    const parent = t.tracer.startSpan('parent', { kind: 'server', parent: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`, baggage: 'k=v' } });
    const child = t.tracer.startSpan('child', { kind: 'client', parent });
    expect(child.traceId).toBe(parent.traceId);
    const out: Record<string, string | string[] | undefined> = {};
    child.inject(out);
    expect(out.traceparent).toBe(`00-${REMOTE_TRACE}-${child.spanId}-01`);
    expect(out.baggage).toBe('k=v');
    child.end();
    parent.end();
    const spans = await t.finished();
    const exportedChild = spans.find((s) => s.name === 'child');
    expect(exportedChild?.parentSpanContext?.spanId).toBe(parent.spanId);
    expect(exportedChild?.parentSpanContext?.isRemote).toBeFalsy();
    expect(exportedChild?.kind).toBe(SpanKind.CLIENT);
  });

  it('accepts a span of another Tracer implementation as the parent, through its inject()', () => {
    const foreign: TraceSpan = {
      traceId: REMOTE_TRACE,
      spanId: REMOTE_SPAN,
      setAttributes: () => undefined,
      fail: () => undefined,
      inject: (c) => {
        c.traceparent = `00-${REMOTE_TRACE}-${REMOTE_SPAN}-01`;
      },
      end: () => undefined,
    };
    const child = t.tracer.startSpan('child', { parent: foreign });
    expect(child.traceId).toBe(REMOTE_TRACE);
    child.end();
  });

  it('a PHP-like next hop that parses the injected traceparent becomes a child of the span', async () => {
    const span = t.tracer.startSpan('rr', { kind: 'server' });
    const headers: Record<string, string | string[] | undefined> = { traceparent: 'stale', TraceState: 'stale=1', other: 'kept' };
    span.inject(headers);
    expect(headers.other).toBe('kept');
    expect(headers.TraceState).toBeUndefined();
    const [, traceId, parentId] = TRACEPARENT_RE.exec(String(headers.traceparent)) ?? [];
    expect([traceId, parentId]).toEqual([span.traceId, span.spanId]);
    // The next hop continues from exactly those headers.
    const php = t.tracer.startSpan('php', { parent: headers });
    php.end();
    span.end();
    const exported = (await t.finished()).find((s) => s.name === 'php');
    expect(exported?.parentSpanContext?.spanId).toBe(span.spanId);
  });

  it('maps every kind, sets attributes (skipping undefined), fail() records ERROR and the exception, end() twice is a no-op', async () => {
    const kinds = ['server', 'client', 'internal', 'producer', 'consumer'] as const;
    for (const kind of kinds) t.tracer.startSpan(kind, { kind }).end();
    const span = t.tracer.startSpan('work', { attributes: { a: 'x', b: 1, c: true, d: undefined } });
    span.setAttributes({ e: 2.5, f: undefined });
    span.fail('boom happened', new TypeError('boom'));
    span.end();
    span.end();
    span.setAttributes({ late: 1 });
    const spans = await t.finished();
    expect(spans.filter((s) => (kinds as readonly string[]).includes(s.name)).map((s) => s.kind)).toEqual([
      SpanKind.SERVER,
      SpanKind.CLIENT,
      SpanKind.INTERNAL,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
    ]);
    const work = spans.filter((s) => s.name === 'work');
    expect(work).toHaveLength(1);
    expect(work[0]?.attributes).toEqual({ a: 'x', b: 1, c: true, e: 2.5 });
    expect(work[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom happened' });
    expect(work[0]?.events.map((e) => [e.name, e.attributes?.['exception.type'], e.attributes?.['exception.message']])).toEqual([['exception', 'TypeError', 'boom']]);
  });

  it('fail() without an Error sets the status only', async () => {
    const span = t.tracer.startSpan('x');
    span.fail('nope', 'not an error');
    span.end();
    const [exported] = await t.finished();
    expect(exported?.status.code).toBe(SpanStatusCode.ERROR);
    expect(exported?.events).toEqual([]);
  });

  it('inject never throws, even into a frozen carrier', () => {
    const span = t.tracer.startSpan('x');
    const frozen = Object.freeze({ traceparent: 'old' }) as Record<string, string>;
    expect(() => span.inject(frozen)).not.toThrow();
    span.end();
  });

  it('two tracers in one process keep their own spans (nothing global)', async () => {
    const other = memoryTracer();
    try {
      t.tracer.startSpan('mine').end();
      other.tracer.startSpan('theirs').end();
      expect((await t.finished()).map((s) => s.name)).toEqual(['mine']);
      expect((await other.finished()).map((s) => s.name)).toEqual(['theirs']);
    } finally {
      await other.close();
    }
  });
});
