/**
 * A decoder of OTLP trace export requests (opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest),
 * in protobuf (OTLP/HTTP and OTLP/gRPC bodies) and in OTLP/JSON, into one flat list of spans.
 * Self-contained (only protobufjs and node:zlib); the otel plugin's tests and e2e both use it.
 *
 * The descriptor below is hand-written from opentelemetry-proto (v1.x), reduced to what a trace export
 * carries; field numbers are the wire contract and match upstream.
 */
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

const OTLP_TRACE_PROTO = `
syntax = "proto3";
package opentelemetry.proto;

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Resource {
  repeated KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
}
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
  string schema_url = 3;
}
message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
  string schema_url = 3;
}
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  bytes parent_span_id = 4;
  fixed32 flags = 16;
  string name = 5;
  int32 kind = 6;
  fixed64 start_time_unix_nano = 7;
  fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  repeated Event events = 11;
  uint32 dropped_events_count = 12;
  repeated Link links = 13;
  uint32 dropped_links_count = 14;
  Status status = 15;
}
message Event {
  fixed64 time_unix_nano = 1;
  string name = 2;
  repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Link {
  bytes trace_id = 1;
  bytes span_id = 2;
  string trace_state = 3;
  repeated KeyValue attributes = 4;
  uint32 dropped_attributes_count = 5;
  fixed32 flags = 6;
}
message Status {
  reserved 1;
  string message = 2;
  int32 code = 3;
}
`;

const root = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
const RequestType = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');
const ResponseType = root.lookupType('opentelemetry.proto.ExportTraceServiceResponse');

/** The gRPC method a collector serves. */
export const TRACE_SERVICE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** An attribute value: strings, booleans, numbers (int64 as number), arrays, maps; bytes as hex. */
export type OtlpValue = string | number | boolean | null | OtlpValue[] | { [key: string]: OtlpValue };
export type OtlpAttributes = Record<string, OtlpValue>;

export type OtlpSpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type OtlpStatusCode = 'unset' | 'ok' | 'error';

/** One exported span with its resource and scope, ids as lower-case hex ('' when absent). */
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: OtlpSpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  events: { name: string; timeUnixNano: bigint; attributes: OtlpAttributes }[];
  links: { traceId: string; spanId: string; attributes: OtlpAttributes }[];
  status: { code: OtlpStatusCode; message: string };
  resource: OtlpAttributes;
  scope: { name: string; version: string };
}

const KINDS: OtlpSpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS: OtlpStatusCode[] = ['unset', 'ok', 'error'];
const KIND_BY_NAME: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_BY_NAME: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

type Raw = Record<string, unknown>;
type Ids = 'bytes' | 'hex';

const list = (value: unknown): Raw[] => (Array.isArray(value) ? (value as Raw[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function id(value: unknown, ids: Ids): string {
  if (value === undefined || value === null) return '';
  if (ids === 'hex' && typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'string') return Buffer.from(value, 'base64').toString('hex');
  return Buffer.from(value as Uint8Array).toString('hex');
}

function big(value: unknown): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || typeof value === 'string') return BigInt(value);
  // protobufjs Long-like object.
  return BigInt((value as { toString(): string }).toString());
}

function enumValue(value: unknown, byName: Record<string, number>): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return byName[value] ?? Number(value);
  return 0;
}

function anyValue(value: Raw | undefined, ids: Ids): OtlpValue {
  if (value === undefined || value === null) return null;
  if ('stringValue' in value) return text(value.stringValue);
  if ('boolValue' in value) return value.boolValue === true;
  if ('intValue' in value) return Number(big(value.intValue));
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return list((value.arrayValue as Raw | undefined)?.values).map((v) => anyValue(v, ids));
  if ('kvlistValue' in value) return attributes((value.kvlistValue as Raw | undefined)?.values, ids);
  if ('bytesValue' in value) return id(value.bytesValue, 'bytes');
  return null;
}

function attributes(kvs: unknown, ids: Ids): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of list(kvs)) out[text(kv.key)] = anyValue(kv.value as Raw | undefined, ids);
  return out;
}

/** Flattens a request object (protobufjs' camelCase object, or OTLP/JSON) into spans. */
function flatten(request: Raw, ids: Ids): OtlpSpan[] {
  const out: OtlpSpan[] = [];
  for (const rs of list(request.resourceSpans)) {
    const resource = attributes((rs.resource as Raw | undefined)?.attributes, ids);
    for (const ss of list(rs.scopeSpans)) {
      const scope = (ss.scope as Raw | undefined) ?? {};
      for (const s of list(ss.spans)) {
        const status = (s.status as Raw | undefined) ?? {};
        out.push({
          traceId: id(s.traceId, ids),
          spanId: id(s.spanId, ids),
          parentSpanId: id(s.parentSpanId, ids),
          traceState: text(s.traceState),
          name: text(s.name),
          kind: KINDS[enumValue(s.kind, KIND_BY_NAME)] ?? 'unspecified',
          startTimeUnixNano: big(s.startTimeUnixNano),
          endTimeUnixNano: big(s.endTimeUnixNano),
          attributes: attributes(s.attributes, ids),
          events: list(s.events).map((e) => ({ name: text(e.name), timeUnixNano: big(e.timeUnixNano), attributes: attributes(e.attributes, ids) })),
          links: list(s.links).map((l) => ({ traceId: id(l.traceId, ids), spanId: id(l.spanId, ids), attributes: attributes(l.attributes, ids) })),
          status: { code: STATUS[enumValue(status.code, STATUS_BY_NAME)] ?? 'unset', message: text(status.message) },
          resource,
          scope: { name: text(scope.name), version: text(scope.version) },
        });
      }
    }
  }
  return out;
}

/** Decodes a protobuf ExportTraceServiceRequest (the body of OTLP/HTTP protobuf and of OTLP/gRPC Export). */
export function decodeTraceRequest(body: Uint8Array): OtlpSpan[] {
  const message = RequestType.decode(body);
  const object = RequestType.toObject(message, { longs: String, bytes: Array, defaults: false, arrays: true, oneofs: false }) as Raw;
  // toObject with bytes: Array yields number arrays; turn them back into bytes for id().
  return flatten(object, 'bytes');
}

/** Decodes an OTLP/JSON ExportTraceServiceRequest (ids in hex, as the OTLP/JSON mapping specifies). */
export function decodeTraceRequestJson(body: string | Raw): OtlpSpan[] {
  return flatten(typeof body === 'string' ? (JSON.parse(body) as Raw) : body, 'hex');
}

/**
 * Decodes an OTLP/HTTP request body by its headers: gunzips `content-encoding: gzip`, then JSON for
 * `application/json`, protobuf otherwise.
 */
export function decodeTraceHttpBody(body: Buffer, headers: { 'content-type'?: string | undefined; 'content-encoding'?: string | undefined }): OtlpSpan[] {
  const plain = headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
  return (headers['content-type'] ?? '').includes('json') ? decodeTraceRequestJson(plain.toString('utf8')) : decodeTraceRequest(plain);
}

/** An empty (fully successful) ExportTraceServiceResponse, protobuf-encoded. */
export function encodeTraceResponse(): Uint8Array {
  return ResponseType.encode(ResponseType.create({})).finish();
}
