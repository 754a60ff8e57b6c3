import type { JobHeaders, TraceCarrier, TraceSpan } from '@rr/contracts';

// The propagation headers a tracer reads (lower-case, as the tracing contract wants them).
const PROPAGATION = new Set(['traceparent', 'tracestate', 'baggage', 'uber-trace-id']);

/**
 * The propagation headers of a job as a trace carrier, under the lower-case names the tracer reads. Job
 * headers keep whatever case their producer gave them (RoadRunner's `Traceparent`, OpenTelemetry PHP's
 * `traceparent`); an exact lower-case name wins over another spelling.
 */
export function traceCarrierOf(headers: JobHeaders): TraceCarrier {
  const out: Record<string, string[]> = {};
  for (const key of Object.keys(headers)) {
    const lower = key.toLowerCase();
    if (PROPAGATION.has(lower) && (lower === key || !Object.hasOwn(out, lower))) out[lower] = headers[key] as string[];
  }
  return out;
}

/**
 * A copy of `headers` carrying `span`'s context: what the tracer injects (`traceparent`, and
 * `tracestate`/`baggage` when the trace has them) replaces those headers in any case, each as a
 * one-value list, so the map stays RoadRunner's `map<string, repeated string>`. Names are written as
 * RoadRunner writes them (Go's `propagation.HeaderCarrier` over the job's headers canonicalises:
 * `Traceparent`), so a RoadRunner consumer or producer sharing the broker continues the same trace.
 */
export function withTraceContext(headers: JobHeaders, span: TraceSpan): JobHeaders {
  const carrier: Record<string, string | string[] | undefined> = {};
  span.inject(carrier);
  // The old trace context goes even where the span has nothing to put: it belongs to another parent.
  const names = new Set(['traceparent', 'tracestate', ...Object.keys(carrier).map((k) => k.toLowerCase())]);
  // Spread, not assignment: a `__proto__` header stays an own property.
  const out: JobHeaders = { ...headers };
  for (const key of Object.keys(out)) if (names.has(key.toLowerCase())) delete out[key];
  for (const [key, value] of Object.entries(carrier)) {
    if (value !== undefined) out[canonical(key)] = typeof value === 'string' ? [value] : [...value];
  }
  return out;
}

/** Go's textproto.CanonicalMIMEHeaderKey for the propagation names: `uber-trace-id` → `Uber-Trace-Id`. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}
