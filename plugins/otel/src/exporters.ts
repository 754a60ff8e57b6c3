import type { Writable } from 'node:stream';
import type { HrTime } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '@rr/contracts';
import { otelErrors, otelWarnings } from './errors.js';
import type { OtelSettings } from './settings.js';

/** Nanoseconds since the epoch, as a decimal string (a JSON number would lose precision). */
export function hrTimeToNanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

const KIND_NAMES: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const STATUS_NAMES: Record<SpanStatusCode, string> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

/**
 * One span as one JSON object: what the stdout/stderr exporter writes, one per line. Ids are lower-case
 * hex, times are nanoseconds since the epoch as strings, kinds and status codes are lower-case words.
 */
export function spanToJson(span: ReadableSpan): Record<string, unknown> {
  const context = span.spanContext();
  const status: Record<string, unknown> = { code: STATUS_NAMES[span.status.code] };
  if (span.status.message !== undefined && span.status.message !== '') status.message = span.status.message;
  return {
    name: span.name,
    kind: KIND_NAMES[span.kind],
    traceId: context.traceId,
    spanId: context.spanId,
    ...(span.parentSpanContext === undefined ? {} : { parentSpanId: span.parentSpanContext.spanId }),
    ...(context.traceState === undefined ? {} : { traceState: context.traceState.serialize() }),
    startTimeUnixNano: hrTimeToNanos(span.startTime),
    endTimeUnixNano: hrTimeToNanos(span.endTime),
    durationMs: span.duration[0] * 1e3 + span.duration[1] / 1e6,
    attributes: span.attributes,
    status,
    events: span.events.map((e) => ({ name: e.name, timeUnixNano: hrTimeToNanos(e.time), attributes: e.attributes ?? {} })),
    ...(span.links.length === 0 ? {} : { links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: l.attributes ?? {} })) }),
    resource: span.resource.attributes,
    scope: { name: span.instrumentationScope.name, ...(span.instrumentationScope.version === undefined ? {} : { version: span.instrumentationScope.version }) },
  };
}

/**
 * The stdout/stderr exporter: one JSON line per span, so log shippers can pick spans up (OpenTelemetry's
 * ConsoleSpanExporter prints util.inspect output, and Go's stdouttrace pretty-prints multi-line JSON).
 */
export class JsonLinesSpanExporter implements SpanExporter {
  readonly #out: Writable;
  #pending = Promise.resolve();
  #closed = false;

  constructor(out: Writable) {
    this.#out = out;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('the exporter is shut down') });
      return;
    }
    const text = spans.map((s) => `${JSON.stringify(spanToJson(s))}\n`).join('');
    const written = new Promise<void>((resolve) => {
      this.#out.write(text, (err) => {
        resultCallback(err ? { code: ExportResultCode.FAILED, error: err } : { code: ExportResultCode.SUCCESS });
        resolve();
      });
    });
    this.#pending = this.#pending.then(() => written);
  }

  forceFlush(): Promise<void> {
    return this.#pending;
  }

  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.#pending;
  }
}

/**
 * Reports failed exports through rr's logger (the SDK would report them through the process-global
 * diag/error handler, which the plugin leaves alone): a warning on the first failure, and one info line
 * when exports work again, so a collector that is down does not flood the log.
 */
export class LoggingSpanExporter implements SpanExporter {
  readonly #inner: SpanExporter;
  readonly #log: Logger;
  readonly #target: string;
  #failing = false;

  constructor(inner: SpanExporter, log: Logger, target: string) {
    this.#inner = inner;
    this.#log = log;
    this.#target = target;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.#failing) this.#log.info('span export recovered', { target: this.#target });
        this.#failing = false;
      } else {
        const fields = { code: otelWarnings.EXPORT_FAILED, target: this.#target, spans: spans.length, error: result.error?.message ?? 'unknown error' };
        if (this.#failing) this.#log.debug('span export failed', fields);
        else this.#log.warn('span export failed; spans are lost until the collector answers', fields);
        this.#failing = true;
      }
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}

/** Where the stdout/stderr exporters write; tests hand in their own streams. */
export interface ExporterStreams {
  stdout: Writable;
  stderr: Writable;
}

// The exporters' option types name otlp-exporter-base's enum, which is not a dependency of ours.
type HttpCompression = NonNullable<NonNullable<ConstructorParameters<typeof ProtoTraceExporter>[0]>['compression']>;
type GrpcCompression = NonNullable<NonNullable<ConstructorParameters<typeof GrpcTraceExporter>[0]>['compression']>;

/** A description of where spans go, for log lines. */
export function exporterTarget(settings: OtelSettings): string {
  if (settings.exporter !== 'otlp') return settings.exporter;
  return `otlp ${settings.client === 'grpc' ? 'grpc' : `http/${settings.encoding}`} ${settings.url}`;
}

/**
 * The span exporter the settings describe: OTLP/HTTP protobuf (what Go's otlptracehttp sends) or JSON,
 * OTLP/gRPC, or JSON lines on stdout/stderr. Only the chosen OTLP exporter's module (and gRPC's
 * runtime) is loaded.
 *
 * @throws RR_ERR_OTEL_EXPORTER_FAILED when the SDK refuses the options
 */
export async function createSpanExporter(settings: OtelSettings, streams: ExporterStreams): Promise<SpanExporter> {
  if (settings.exporter === 'stdout') return new JsonLinesSpanExporter(streams.stdout);
  if (settings.exporter === 'stderr') return new JsonLinesSpanExporter(streams.stderr);
  try {
    if (settings.client === 'grpc') {
      const [{ Metadata }, { OTLPTraceExporter }] = await Promise.all([import('@grpc/grpc-js'), import('@opentelemetry/exporter-trace-otlp-grpc')]);
      const metadata = new Metadata();
      for (const [name, value] of Object.entries(settings.headers)) metadata.set(name.toLowerCase(), value);
      return new OTLPTraceExporter({
        url: settings.url,
        metadata,
        ...(settings.compression === 'gzip' ? { compression: 'gzip' as GrpcCompression } : {}),
      });
    }
    const options = {
      url: settings.url,
      headers: { ...settings.headers },
      ...(settings.compression === 'gzip' ? { compression: 'gzip' as HttpCompression } : {}),
    };
    if (settings.encoding === 'json') {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(options);
    }
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    return new OTLPTraceExporter(options);
  } catch (err) {
    throw otelErrors.EXPORTER_FAILED(exporterTarget(settings), err instanceof Error ? err.message : String(err), { cause: err });
  }
}
