import { randomBytes } from 'node:crypto';
import { tracerRef, type TraceAttributes, type TraceCarrier, type TraceSpan, type TraceSpanKind, type TraceSpanOptions, type Tracer } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';

/** One span as {@link recordingTracer} saw it; fields change in place until the span ends. */
export interface RecordedSpan {
  readonly name: string;
  readonly kind: TraceSpanKind;
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  /** The parent's span id: a span of this tracer, or the one a carrier's `traceparent` named. */
  readonly parentSpanId: string | undefined;
  /** The parent came from a carrier (another process), not from a span of this tracer. */
  readonly remoteParent: boolean;
  /** Attributes given at start and through `setAttributes` (undefined values skipped), until the end. */
  readonly attributes: Record<string, string | number | boolean>;
  /** `'error'` once `fail` was called; OpenTelemetry's UNSET otherwise. */
  status: 'unset' | 'error';
  /** The message of the last `fail`. */
  statusMessage: string | undefined;
  /** The errors given to `fail` (OpenTelemetry records an Error as an exception event). */
  readonly exceptions: unknown[];
  /** The W3C `tracestate` inherited from a remote parent, passed on by `inject`. */
  readonly traceState: string | undefined;
  /** The W3C `baggage` inherited from a remote parent, passed on by `inject`. */
  readonly baggage: string | undefined;
  /** Epoch milliseconds, fractional. */
  readonly startTime: number;
  /** Epoch milliseconds of the first `end()`. */
  endTime: number | undefined;
  ended: boolean;
}

/** A {@link Tracer} that keeps every span in memory, for assertions. */
export interface RecordingTracer extends Tracer {
  /** Every span started, in start order. */
  readonly spans: RecordedSpan[];
  /** Spans whose name equals `name` (or matches it). */
  find(name: string | RegExp): RecordedSpan[];
  /** The span with this span id. */
  byId(spanId: string): RecordedSpan | undefined;
  /**
   * Resolves with the ended spans matching `filter` once there are `count` of them (at once when there
   * already are); rejects after `timeoutMs`. Driven by `end()` calls, not by polling.
   */
  waitForEnded(count: number, filter?: (span: RecordedSpan) => boolean, timeoutMs?: number): Promise<RecordedSpan[]>;
  /** Forgets every recorded span. */
  clear(): void;
}

/** A W3C `traceparent` header, parsed. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** The `sampled` flag (bit 0 of trace-flags). */
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses a W3C Trace Context `traceparent` value (`00-<trace-id>-<parent-id>-<flags>`), as the
 * specification's receiving rules say: version `ff` and all-zero ids are invalid, a version-00 header
 * has nothing after the flags, later versions may.
 *
 * @returns undefined for anything invalid.
 */
export function parseTraceparent(value: string | readonly string[] | undefined): TraceParent | undefined {
  const text = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (text === undefined) return undefined;
  const m = TRACEPARENT.exec(text);
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Formats a sampled version-00 `traceparent`. */
export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

function randomHex(bytes: number, zero: string): string {
  for (;;) {
    const id = randomBytes(bytes).toString('hex');
    if (id !== zero) return id;
  }
}

const first = (value: string | readonly string[] | undefined): string | undefined => (typeof value === 'string' ? value : value?.[0]);

/**
 * A real, in-memory {@link Tracer} for tests (no mocks of our own modules): random 16/8-byte hex ids,
 * W3C Trace Context inject/extract, and a record of every span (name, kind, attributes, status, parent,
 * trace id, start/end, ended). Parents are spans of this tracer or carriers whose lower-case
 * `traceparent` (a list: its first element) continues a remote trace; `tracestate` and `baggage` of a
 * remote parent are kept and injected again, as OpenTelemetry's propagators do.
 *
 * @example
 * const tracer = recordingTracer();
 * const t = await startTestKernel({ plugins: [testTracerPlugin(tracer), httpPlugin, …], config });
 * … make a request …
 * const [exec] = await tracer.waitForEnded(1, (s) => s.name === 'worker.exec');
 */
export function recordingTracer(): RecordingTracer {
  const spans: RecordedSpan[] = [];
  const byId = new Map<string, RecordedSpan>();
  const waiters = new Set<() => void>();

  const startSpan = (name: string, options: TraceSpanOptions = {}): TraceSpan => {
    let traceId: string | undefined;
    let parentSpanId: string | undefined;
    let remoteParent = false;
    let traceState: string | undefined;
    let baggage: string | undefined;
    const parent = options.parent;
    if (parent !== undefined) {
      if (isSpan(parent)) {
        traceId = parent.traceId;
        parentSpanId = parent.spanId;
        const known = byId.get(parent.spanId);
        traceState = known?.traceState;
        baggage = known?.baggage;
      } else {
        const remote = parseTraceparent(parent['traceparent']);
        if (remote !== undefined) {
          traceId = remote.traceId;
          parentSpanId = remote.spanId;
          remoteParent = true;
          traceState = first(parent['tracestate']);
        }
        // Baggage travels with or without a trace context (its own propagator in OpenTelemetry).
        baggage = first(parent['baggage']);
      }
    }
    const record: RecordedSpan = {
      name,
      kind: options.kind ?? 'internal',
      traceId: traceId ?? randomHex(16, ZERO_TRACE),
      spanId: randomHex(8, ZERO_SPAN),
      parentSpanId,
      remoteParent,
      attributes: {},
      status: 'unset',
      statusMessage: undefined,
      exceptions: [],
      traceState,
      baggage,
      startTime: performance.timeOrigin + performance.now(),
      endTime: undefined,
      ended: false,
    };
    setAttributes(record, options.attributes);
    spans.push(record);
    byId.set(record.spanId, record);
    return {
      traceId: record.traceId,
      spanId: record.spanId,
      setAttributes: (attributes) => {
        // OpenTelemetry ignores changes to an ended span.
        if (!record.ended) setAttributes(record, attributes);
      },
      fail: (message, error) => {
        if (record.ended) return;
        record.status = 'error';
        record.statusMessage = message;
        if (error !== undefined) record.exceptions.push(error);
      },
      inject: (carrier) => {
        carrier['traceparent'] = formatTraceparent(record.traceId, record.spanId);
        if (record.traceState !== undefined) carrier['tracestate'] = record.traceState;
        if (record.baggage !== undefined) carrier['baggage'] = record.baggage;
      },
      end: () => {
        if (record.ended) return;
        record.ended = true;
        record.endTime = performance.timeOrigin + performance.now();
        for (const wake of [...waiters]) wake();
      },
    };
  };

  const find = (name: string | RegExp): RecordedSpan[] => spans.filter((s) => (typeof name === 'string' ? s.name === name : name.test(s.name)));

  return {
    spans,
    startSpan,
    find,
    byId: (spanId) => byId.get(spanId),
    waitForEnded(count, filter = () => true, timeoutMs = 10_000) {
      const matching = (): RecordedSpan[] => spans.filter((s) => s.ended && filter(s));
      const now = matching();
      if (now.length >= count) return Promise.resolve(now);
      return new Promise<RecordedSpan[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`recordingTracer: ${count} ended span(s) expected within ${timeoutMs} ms, ${matching().length} seen: ${spans.map((s) => s.name).join(', ')}`));
        }, timeoutMs);
        const check = (): void => {
          const found = matching();
          if (found.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
      });
    },
    clear() {
      spans.length = 0;
      byId.clear();
    },
  };
}

function setAttributes(record: RecordedSpan, attributes: TraceAttributes | undefined): void {
  if (attributes === undefined) return;
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) record.attributes[key] = value;
}

function isSpan(parent: TraceSpan | TraceCarrier): parent is TraceSpan {
  return typeof (parent as Partial<TraceSpan>).inject === 'function' && typeof (parent as Partial<TraceSpan>).spanId === 'string';
}

/**
 * Provides `tracerRef` from a given tracer: the stand-in for the otel plugin in plugin tests (plugins
 * never import plugins). Its id is `otel`, as the real provider's.
 */
export function testTracerPlugin(tracer: Tracer): Plugin {
  return definePlugin({
    id: 'otel',
    kernel: '^1.0.0',
    provides: { tracer: tracerRef },
    init: () => ({ provides: { tracer } }),
  });
}
