import { ref } from '@rr/kernel';

/**
 * Headers (HTTP headers, gRPC metadata, job headers) a trace context is read from or written to:
 * W3C `traceparent`/`tracestate`, `baggage`, and Jaeger's `uber-trace-id`, as RoadRunner propagates.
 * Names are lower-case when read; a list value is read by its first element.
 */
export type TraceCarrier = Readonly<Record<string, string | readonly string[] | undefined>>;

/** OpenTelemetry's span kinds, spelled out so plugins need no OpenTelemetry import. */
export type TraceSpanKind = 'server' | 'client' | 'internal' | 'producer' | 'consumer';

/** Span attributes; `undefined` values are skipped. Names follow OpenTelemetry's semantic conventions. */
export type TraceAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface TraceSpanOptions {
  kind?: TraceSpanKind;
  attributes?: TraceAttributes;
  /**
   * The parent: a span of this process, or headers carrying a remote context (the client's
   * `traceparent`). Without one, or when the headers carry none, the span starts a new trace.
   */
  parent?: TraceSpan | TraceCarrier;
}

/** One span. Every method is cheap and never throws; `end()` more than once is a no-op. */
export interface TraceSpan {
  /** 32 lower-case hex digits. */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  setAttributes(attributes: TraceAttributes): void;
  /** Marks the span failed (status ERROR with `message`); an Error is also recorded as an exception event. */
  fail(message: string, error?: unknown): void;
  /**
   * Writes this span's context into `carrier` (`traceparent`, `tracestate`, `baggage`), replacing any
   * there, so the next hop (a PHP worker, a queued job) continues this trace as a child of this span.
   */
  inject(carrier: Record<string, string | string[] | undefined>): void;
  end(): void;
}

/**
 * The tracer, provided by the otel plugin when the `otel` section exists (tracing is off by default).
 * Plugins declare it `optional` and trace only when it is there, so an untraced rr pays nothing.
 */
export interface Tracer {
  startSpan(name: string, options?: TraceSpanOptions): TraceSpan;
}

export const tracerRef = ref<Tracer>('otel.tracer');
