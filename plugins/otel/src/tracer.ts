import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  type Tracer as OtelApiTracer,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { JaegerPropagator } from '@opentelemetry/propagator-jaeger';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TraceAttributes, TraceCarrier, TraceSpan, TraceSpanKind, TraceSpanOptions, Tracer } from '@rr/contracts';

/** A carrier the tracer writes into: a plain header object (`TraceSpan.inject`'s argument). */
export type WritableCarrier = Record<string, string | string[] | undefined>;

const KINDS: Record<TraceSpanKind, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** Reads a header case-insensitively; a list value by its first element, as the contract says. */
function readHeader(carrier: TraceCarrier, key: string): string | undefined {
  let value = carrier[key];
  if (value === undefined) {
    const lower = key.toLowerCase();
    value = carrier[lower];
    if (value === undefined) {
      for (const name of Object.keys(carrier)) {
        if (name.toLowerCase() === lower) {
          value = carrier[name];
          break;
        }
      }
    }
  }
  return Array.isArray(value) ? (value as readonly string[])[0] : (value as string | undefined);
}

const getter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier).map((k) => k.toLowerCase()),
  get: readHeader,
};

const setter: TextMapSetter<WritableCarrier> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

function toAttributes(attributes: TraceAttributes | undefined): Attributes {
  const out: Attributes = {};
  if (attributes === undefined) return out;
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}

function isSpan(parent: TraceSpan | TraceCarrier): parent is TraceSpan {
  return typeof (parent as { inject?: unknown }).inject === 'function' && typeof (parent as { spanId?: unknown }).spanId === 'string';
}

/** RoadRunner's propagation: W3C TraceContext, W3C Baggage and Jaeger's uber-trace-id, in that order. */
export function createPropagator(): TextMapPropagator {
  return new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator(), new JaegerPropagator()] });
}

/** One span of the SDK behind the contract's `TraceSpan`. */
class OtelSpan implements TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The context this span continues: its parent's (with the parent's baggage) plus the span itself. */
  readonly context: Context;
  readonly #span: Span;
  readonly #propagator: TextMapPropagator;
  #ended = false;

  constructor(span: Span, parent: Context, propagator: TextMapPropagator) {
    const ctx = span.spanContext();
    this.traceId = ctx.traceId;
    this.spanId = ctx.spanId;
    this.context = trace.setSpan(parent, span);
    this.#span = span;
    this.#propagator = propagator;
  }

  setAttributes(attributes: TraceAttributes): void {
    this.#span.setAttributes(toAttributes(attributes));
  }

  fail(message: string, error?: unknown): void {
    this.#span.setStatus({ code: SpanStatusCode.ERROR, message });
    if (error instanceof Error) this.#span.recordException(error);
  }

  inject(carrier: WritableCarrier): void {
    try {
      // "Replacing any there": a stale value under another spelling would otherwise survive beside ours.
      const fields = new Set(this.#propagator.fields().map((f) => f.toLowerCase()));
      for (const name of Object.keys(carrier)) if (fields.has(name.toLowerCase())) delete carrier[name];
      this.#propagator.inject(this.context, carrier, setter);
    } catch {
      // The contract: never throws. A frozen or exotic carrier just stays as it was.
    }
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span.end();
  }
}

/** How the tracer batches spans. */
export interface OtelTracerOptions {
  exporter: SpanExporter;
  /** Resource attributes (service.*, …); telemetry.sdk.* are added. */
  resource: Readonly<Record<string, string>>;
  /** How long a finished span may wait before its batch is exported. @default 500 */
  scheduledDelayMillis?: number;
}

/**
 * The contract's `Tracer` on the OpenTelemetry SDK. Its provider, processor and propagator belong to this
 * instance: nothing is registered globally (no global tracer provider, propagator or context manager), so
 * several kernels in one process each keep their own. Contexts are passed explicitly, never read from
 * `context.active()`.
 */
export class OtelTracer implements Tracer {
  readonly #provider: BasicTracerProvider;
  readonly #tracer: OtelApiTracer;
  readonly #propagator = createPropagator();
  #stopping: Promise<boolean> | undefined;

  constructor(options: OtelTracerOptions) {
    this.#provider = new BasicTracerProvider({
      resource: defaultResource().merge(resourceFromAttributes(options.resource)),
      spanProcessors: [
        new BatchSpanProcessor(options.exporter, {
          // Go's default is 5 s; spans show up sooner, and stop() flushes whatever is left anyway.
          scheduledDelayMillis: options.scheduledDelayMillis ?? 500,
          exportTimeoutMillis: 10_000,
          maxQueueSize: 2048,
          maxExportBatchSize: 512,
        }),
      ],
    });
    this.#tracer = this.#provider.getTracer('rr');
  }

  /** The context `carrier` carries (an empty one when it carries none). */
  extract(carrier: TraceCarrier): Context {
    return this.#propagator.extract(ROOT_CONTEXT, carrier, getter);
  }

  /** The header names the propagators read and write. */
  fields(): string[] {
    return this.#propagator.fields();
  }

  #parentContext(parent: TraceSpan | TraceCarrier | undefined): Context {
    if (parent === undefined) return ROOT_CONTEXT;
    if (parent instanceof OtelSpan) return parent.context;
    if (isSpan(parent)) {
      // Another implementation's span: it can still write its context into headers.
      const carrier: WritableCarrier = {};
      parent.inject(carrier);
      return this.extract(carrier);
    }
    return this.extract(parent);
  }

  startSpan(name: string, options: TraceSpanOptions = {}): TraceSpan {
    const parent = this.#parentContext(options.parent);
    const span = this.#tracer.startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: toAttributes(options.attributes) }, parent);
    return new OtelSpan(span, parent, this.#propagator);
  }

  /**
   * Exports every finished span now. Resolves `false` when an export failed (the exporter has logged
   * why); never rejects.
   */
  forceFlush(): Promise<boolean> {
    return this.#provider.forceFlush().then(
      () => true,
      () => false,
    );
  }

  /**
   * Flushes, then shuts the provider and its exporter down, giving up at `deadline` (epoch ms).
   * Resolves `true` when everything was exported in time, `false` when an export failed or the deadline
   * came first. Idempotent; never rejects.
   */
  async shutdown(deadline: number = Date.now() + 30_000): Promise<boolean> {
    this.#stopping ??= (async () => {
      const flushed = await this.forceFlush();
      // Shut down even after a failed flush: it releases the exporter's connections.
      await this.#provider.shutdown();
      return flushed;
    })();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      timer.unref();
    });
    try {
      // A failed final export is reported by the exporter's logger; here it only means "not everything".
      return await Promise.race([this.#stopping.catch(() => false), expired]);
    } finally {
      clearTimeout(timer);
    }
  }
}
