import * as grpc from '@grpc/grpc-js';
import type { ExecResult, Logger, Payload, TraceSpan, Tracer, WorkerPool } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import type { GrpcMetrics } from './metrics.js';
import type { ProtoMethod } from './protos.js';
import { decodeRpcStatus, encodeRpcStatus, isAny, type RpcStatus } from './rpc-status.js';

const { status: Status, Metadata } = grpc;

/** Frame codecs (goridge byte1). */
const CODEC_JSON = 0x08;
const CODEC_PROTO = 0x80;

const identity = (b: Buffer): Buffer => b;

/**
 * The grpc-js definition of a proto method with pass-through (de)serializers: rr never decodes a
 * message, the worker gets the request bytes as the client sent them and the client the worker's bytes.
 */
export function methodDefinition(m: ProtoMethod): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: m.path,
    requestStream: m.requestStream,
    responseStream: m.responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: m.method,
  };
}

export interface HandlerDeps {
  pool: () => WorkerPool;
  logger: Logger;
  metrics: GrpcMetrics;
  /** The listener is TLS: `:peer.auth-type` is `tls`. */
  tls: boolean;
  /** The otel plugin's tracer, when tracing: a SERVER span per call. Absent, nothing is traced. */
  tracer?: Tracer | undefined;
}

/** A status a call ends with. */
interface CallStatus {
  code: grpc.status;
  message: string;
  /** `google.rpc.Status` bytes for `grpc-status-details-bin`, when details were given. */
  statusDetails?: Buffer | undefined;
}

/** What a worker's response context asks for (PROTOCOL §7.2). */
interface Outgoing {
  headers: grpc.Metadata;
  trailers: grpc.Metadata;
  error?: CallStatus | undefined;
}

/**
 * The request context JSON of PROTOCOL §7.1: service, method and the incoming metadata as lists. With
 * `span`, its trace context (`traceparent`, and `tracestate`/`baggage` when the trace has them) replaces
 * the client's, so PHP continues the trace as a child of the call's span.
 */
export function requestContext(m: ProtoMethod, call: { metadata: grpc.Metadata; getPeer(): string }, tls: boolean, span?: TraceSpan): Buffer {
  const context: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(call.metadata.toJSON())) {
    // Binary (-bin) values travel base64-encoded: JSON strings cannot carry arbitrary bytes.
    context[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64')));
  }
  (context[':peer.address'] ??= []).push(call.getPeer());
  if (tls) (context[':peer.auth-type'] ??= []).push('tls');
  if (span !== undefined) {
    const carrier: Record<string, string | string[] | undefined> = {};
    span.inject(carrier);
    // The client's trace context goes even where the span has nothing to put (a tracestate of a
    // traceparent that was invalid): it belongs to another parent.
    delete context['traceparent'];
    delete context['tracestate'];
    // Metadata keys are lower-case, as grpc-go gives them to RoadRunner's workers.
    for (const [key, value] of Object.entries(carrier)) if (value !== undefined) context[key.toLowerCase()] = typeof value === 'string' ? [value] : [...value];
  }
  return Buffer.from(JSON.stringify({ service: m.service, method: m.method, context }));
}

// The metadata a trace context is read from (lower-case, as metadata keys are).
const PROPAGATION = ['traceparent', 'tracestate', 'baggage', 'uber-trace-id'] as const;

// Codes that are the server's fault: ERROR on a server span, as OpenTelemetry's gRPC conventions (and
// otelgrpc, which RoadRunner uses) say; the others (NOT_FOUND, INVALID_ARGUMENT …) are the caller's.
const SERVER_FAULTS: ReadonlySet<grpc.status> = new Set([
  Status.UNKNOWN,
  Status.DEADLINE_EXCEEDED,
  Status.UNIMPLEMENTED,
  Status.INTERNAL,
  Status.UNAVAILABLE,
  Status.DATA_LOSS,
]);

/** The SERVER span of a call, child of the trace context in the incoming metadata (if any). */
function startCallSpan(tracer: Tracer, m: ProtoMethod, metadata: grpc.Metadata): TraceSpan {
  const parent: Record<string, string[]> = {};
  for (const key of PROPAGATION) {
    const values = metadata.get(key).filter((v): v is string => typeof v === 'string');
    if (values.length > 0) parent[key] = values;
  }
  return tracer.startSpan(`${m.service}/${m.method}`, {
    kind: 'server',
    parent,
    attributes: { 'rr.plugin': 'grpc', 'rpc.system': 'grpc', 'rpc.service': m.service, 'rpc.method': m.method, 'process.pid': process.pid },
  });
}

function endCallSpan(span: TraceSpan, code: grpc.status, message: string | undefined): void {
  span.setAttributes({ 'rpc.grpc.status_code': code });
  if (SERVER_FAULTS.has(code)) span.fail(message ?? Status[code] ?? `status ${code}`);
  span.end();
}

function setAll(md: grpc.Metadata, source: unknown, logger: Logger): void {
  if (typeof source === 'string') {
    try {
      source = JSON.parse(source) as unknown;
    } catch {
      logger.warn('invalid response metadata: not a JSON object', { metadata: source });
      return;
    }
  }
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return;
  for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
    const key = name.toLowerCase();
    // grpc- and pseudo headers belong to the transport; a worker cannot override them.
    if (key.startsWith('grpc-') || key.startsWith(':')) continue;
    // Go decodes the map as map[string]any and uses string values only; rr also takes lists of strings.
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    for (const v of values) {
      try {
        md.add(key, key.endsWith('-bin') ? Buffer.from(v, 'base64') : v);
      } catch (err) {
        logger.warn('invalid response metadata skipped', { key, reason: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

/** Reads a worker's response context: headers/trailers (new SDK), a flat map (old SDK), `error`. */
export function parseResponseContext(raw: Buffer, logger: Logger): Outgoing {
  const out: Outgoing = { headers: new Metadata(), trailers: new Metadata() };
  if (raw.length === 0) return out;
  let ctx: unknown;
  try {
    ctx = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ...out, error: { code: Status.INTERNAL, message: 'the worker sent a response context that is not JSON' } };
  }
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    return { ...out, error: { code: Status.INTERNAL, message: 'the worker sent a response context that is not a JSON object' } };
  }
  const { error, ...rest } = ctx as Record<string, unknown>;
  if ('headers' in rest || 'trailers' in rest) {
    setAll(out.headers, rest['headers'], logger);
    setAll(out.trailers, rest['trailers'], logger);
  } else {
    setAll(out.headers, rest, logger);
  }
  if (typeof error === 'string' && error !== '') out.error = statusFromBase64(error);
  return out;
}

function statusFromBase64(text: string): CallStatus {
  let status: RpcStatus;
  try {
    status = decodeRpcStatus(Buffer.from(text, 'base64'));
  } catch {
    return { code: Status.INTERNAL, message: 'the worker sent an error that is not a base64 google.rpc.Status' };
  }
  return fromRpcStatus(status);
}

function fromRpcStatus(status: RpcStatus): CallStatus {
  // A Status with code OK carries no error; rr refuses to answer a failure as a success.
  const code = status.code === 0 ? Status.INTERNAL : (status.code as grpc.status);
  return { code, message: status.message, statusDetails: status.details.length > 0 ? encodeRpcStatus({ ...status, code }) : undefined };
}

/**
 * A worker error frame (PROTOCOL §7.3): `Internal` with the worker's text, or the legacy
 * `<code>|:|<message>|:|<Any>…` form.
 */
export function statusFromWorkerError(text: string): CallStatus {
  if (!text.includes('|:|')) return { code: Status.INTERNAL, message: text };
  const [codeText, message = '', ...rest] = text.split('|:|');
  const code = /^\d+$/.test(codeText as string) ? Number(codeText) : NaN;
  if (Number.isNaN(code) || code > 2 ** 32 - 2) return { code: Status.UNKNOWN, message: text };
  const details = rest.map((s) => Buffer.from(s, 'latin1')).filter((b) => isAny(b));
  return fromRpcStatus({ code, message, details });
}

/** Any failure of a call as a gRPC status. */
export function statusFromError(err: unknown): CallStatus {
  if (isRrError(err, 'RR_ERR_POOL_WORKER_ERROR')) return statusFromWorkerError(String((err.details as { error?: unknown } | undefined)?.error ?? err.message));
  if (isRrError(err, 'RR_ERR_POOL_NO_FREE_WORKERS') || isRrError(err, 'RR_ERR_POOL_QUEUE_FULL')) return { code: Status.RESOURCE_EXHAUSTED, message: err.message };
  if (isRrError(err, 'RR_ERR_POOL_STOPPED')) return { code: Status.UNAVAILABLE, message: err.message };
  return { code: Status.INTERNAL, message: err instanceof Error ? err.message : String(err) };
}

function serviceError(s: CallStatus, trailers: grpc.Metadata): Partial<grpc.StatusObject> & Error {
  if (s.statusDetails !== undefined) trailers.set('grpc-status-details-bin', s.statusDetails);
  return Object.assign(new Error(s.message), { code: s.code, details: s.message, metadata: trailers });
}

const isProto = (p: Payload): boolean => (p.codec & CODEC_PROTO) !== 0;

/** Tracks one call for metrics and cancellation. */
function begin(m: ProtoMethod, call: grpc.ServerUnaryCall<Buffer, Buffer> | grpc.ServerWritableStream<Buffer, Buffer>, deps: HandlerDeps) {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  const started = performance.now();
  deps.metrics.started();
  const span = deps.tracer === undefined ? undefined : startCallSpan(deps.tracer, m, call.metadata);
  let done = false;
  return {
    signal: abort.signal,
    exec: (body: Buffer): Promise<ExecResult> =>
      deps.pool().exec({ context: requestContext(m, call, deps.tls, span), body, codec: CODEC_JSON }, { signal: abort.signal }),
    finish(code: grpc.status, message?: string) {
      if (done) return;
      done = true;
      const final = abort.signal.aborted ? Status.CANCELLED : code;
      deps.metrics.finished(m.path, final, (performance.now() - started) / 1000);
      if (span !== undefined) endCallSpan(span, final, message);
    },
  };
}

/** A unary call: one request to one worker, one response. */
export function unaryHandler(m: ProtoMethod, deps: HandlerDeps): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    const t = begin(m, call, deps);
    const fail = (s: CallStatus, trailers = new Metadata()) => {
      t.finish(s.code, s.message);
      callback(serviceError(s, trailers));
    };
    t.exec(call.request).then(
      async (result) => {
        if (result.stream !== undefined) {
          // Ending the iteration sends STOP, so the worker is freed at once.
          await result.stream[Symbol.asyncIterator]().return?.();
          return fail({ code: Status.INTERNAL, message: 'streaming is not supported' });
        }
        const out = parseResponseContext(result.context, deps.logger);
        if (Object.keys(out.headers.getMap()).length > 0) call.sendMetadata(out.headers);
        if (out.error !== undefined) return fail(out.error, out.trailers);
        t.finish(Status.OK);
        callback(null, result.body, out.trailers);
      },
      (err: unknown) => fail(statusFromError(err)),
    );
  };
}

/**
 * A server-streaming call. The worker answers with STREAM frames and a final frame (PROTOCOL §3.8):
 * each frame whose codec is PROTO (0x80) carries one response message, other frames none; the first
 * frame's context may carry `headers`, the final frame's `trailers` or `error`.
 */
export function serverStreamHandler(m: ProtoMethod, deps: HandlerDeps): grpc.handleServerStreamingCall<Buffer, Buffer> {
  return (call) => {
    const t = begin(m, call, deps);
    const fail = (s: CallStatus, trailers = new Metadata()) => {
      t.finish(s.code, s.message);
      if (!call.cancelled) call.emit('error', serviceError(s, trailers));
    };
    const write = async (body: Buffer): Promise<void> => {
      if (call.cancelled || call.write(body)) return;
      // The client reads slower than the worker writes: wait, so the pool pauses the worker's relay.
      await new Promise<void>((resolve) => {
        call.once('drain', resolve);
        t.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    };
    const run = async (): Promise<void> => {
      const first = await t.exec(call.request);
      const head = parseResponseContext(first.context, deps.logger);
      if (Object.keys(head.headers.getMap()).length > 0) call.sendMetadata(head.headers);
      let last = head;
      if (isProto(first) && (first.stream !== undefined || head.error === undefined)) await write(first.body);
      if (first.stream !== undefined) {
        for await (const frame of first.stream) {
          if (call.cancelled) break;
          last = parseResponseContext(frame.context, deps.logger);
          if (isProto(frame)) await write(frame.body);
        }
      }
      if (call.cancelled) return t.finish(Status.CANCELLED);
      if (last.error !== undefined) return fail(last.error, last.trailers);
      t.finish(Status.OK);
      call.end(last.trailers);
    };
    run().catch((err: unknown) => (call.cancelled ? t.finish(Status.CANCELLED) : fail(statusFromError(err))));
  };
}

/** Client-streaming and bidi methods are registered, so the client learns why they fail. */
export function unsupportedHandler(m: ProtoMethod): grpc.UntypedHandleCall {
  const s = { code: Status.UNIMPLEMENTED, message: `${m.path}: client-streaming and bidirectional methods are not supported by rr` };
  if (m.requestStream && !m.responseStream) {
    return ((_call: unknown, callback: grpc.sendUnaryData<Buffer>) => callback(serviceError(s, new Metadata()))) as grpc.UntypedHandleCall;
  }
  return ((call: grpc.ServerDuplexStream<Buffer, Buffer>) => call.emit('error', serviceError(s, new Metadata()))) as grpc.UntypedHandleCall;
}
