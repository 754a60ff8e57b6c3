import { bool } from '@rr/config';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { z } from 'zod';

// RoadRunner's decoder turns `X-Scope: 2` into the string "2"; YAML scalars are accepted alike.
const headerValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

function problem(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const headersSchema = z.record(z.string(), headerValue).superRefine((map, ctx) => {
  for (const [name, value] of Object.entries(map)) {
    const why = problem(() => validateHeaderName(name)) ?? problem(() => validateHeaderValue(name, value));
    if (why !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: `header ${JSON.stringify(name)}: ${why}` });
  }
});

// `host:port`, as Go's otlptrace WithEndpoint takes it; a value with a scheme is an rr extension (the
// scheme then decides plaintext or TLS instead of `insecure`).
const endpointSchema = z.string().superRefine((value, ctx) => {
  const text = value.trim();
  if (text === '') {
    ctx.addIssue({ code: 'custom', message: 'expected host:port, received an empty string' });
    return;
  }
  const url = text.includes('://') ? text : `http://${text}`;
  try {
    const parsed = new URL(url);
    if (parsed.hostname === '') throw new Error('no host');
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected host:port (e.g. 127.0.0.1:4318), received ${JSON.stringify(value)}` });
  }
});

const customUrlSchema = z.string().superRefine((value, ctx) => {
  const text = value.trim();
  if (text.startsWith('/')) return;
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
  } catch {
    ctx.addIssue({ code: 'custom', message: `expected a full http(s) URL (https://collector:4318/v1/traces) or a path (/v1/traces), received ${JSON.stringify(value)}` });
  }
});

const resourceSchema = z
  .strictObject({
    service_name: z.string().optional().describe('service.name (default: OTEL_SERVICE_NAME, then service.name in OTEL_RESOURCE_ATTRIBUTES, then RoadRunner)'),
    service_version: z.string().optional().describe('service.version (default: from OTEL_RESOURCE_ATTRIBUTES, then 1.0.0)'),
    service_namespace: z.string().optional().describe('service.namespace (default: from OTEL_RESOURCE_ATTRIBUTES, then RoadRunner-<random uuid>)'),
    service_instance_id: z.string().optional().describe('service.instance.id (default: from OTEL_RESOURCE_ATTRIBUTES, then a random uuid)'),
  })
  .describe('The OpenTelemetry resource every span is reported under');

/** The top-level `otel` section. Its presence enables tracing; without it rr traces nothing. */
export const otelConfigSchema = z
  .strictObject({
    exporter: z
      .enum(['otlp', 'stdout', 'stderr', 'zipkin', 'jaeger'])
      .default('otlp')
      .describe('Where spans go: otlp (a collector), stdout or stderr (one JSON line per span). zipkin and jaeger are deprecated in RoadRunner and refused by rr at startup: both accept OTLP'),
    client: z
      .enum(['http', 'grpc'])
      .optional()
      .describe('OTLP transport: http (OTLP/HTTP protobuf, json with OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json) or grpc. Unset: from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL, else http'),
    endpoint: endpointSchema
      .optional()
      .describe('Collector host:port (default 127.0.0.1:4318 for http, 127.0.0.1:4317 for grpc, or OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT when set)'),
    custom_url: customUrlSchema
      .optional()
      .describe('http client only: the full URL spans are POSTed to (replaces endpoint), or a path replacing /v1/traces'),
    insecure: bool().default(false).describe('Plaintext (http://) instead of TLS towards the collector; most local collectors need true'),
    compress: bool().default(false).describe('gzip the export requests'),
    headers: headersSchema.default({}).describe('Headers (gRPC metadata) sent with every export request, e.g. an API key'),
    resource: resourceSchema.default({}),
    service_name: z.string().optional().describe('Deprecated: use resource.service_name'),
    service_version: z.string().optional().describe('Deprecated: use resource.service_version'),
  })
  .describe('OpenTelemetry tracing (off unless this section exists): the otel HTTP middleware and the tracer other plugins use');

/** The resolved `otel` section. */
export type OtelConfig = z.output<typeof otelConfigSchema>;
/** The `otel` section as written in YAML. */
export type OtelConfigInput = z.input<typeof otelConfigSchema>;
