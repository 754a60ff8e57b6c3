import { unlink } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { HTTP_REQUEST_STATE, type ExecResult, type HttpRequestState, type Logger, type Payload, type TraceSpan, type Tracer, type WorkerPool } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import type { HttpConfig } from './config.js';
import { httpErrors } from './errors.js';
import { buildDataTree, buildFileTree, parseUrlEncoded, type Tree } from './form.js';
import { readMultipart, type UploadRules } from './multipart.js';
import type { HttpMetrics } from './metrics.js';
import { encodeProtoRequest } from './proto.js';
import { canonicalHeaderName, collectHeaders, parseCookies, remoteAddress, requestUri } from './request.js';
import { decodeResponseContext, escapeHtml, H2_CONNECTION_HEADERS, prepareHeaders, sniffContentType, writeHeadSafe, writeInterim } from './response.js';

const CODEC_JSON = 0x08;
const CODEC_PROTO = 0x80;
const EMPTY = Buffer.alloc(0);
const EMPTY_FORM = Buffer.from('{}');
const NO_FREE_WORKERS = 'RR_ERR_POOL_NO_FREE_WORKERS';

/** What a request handler needs. */
export interface HandlerOptions {
  pool: WorkerPool;
  config: HttpConfig;
  logger: Logger;
  /** The listener speaks TLS (scheme of `uri`). */
  tls?: boolean;
  /** Request counts and durations for the metrics plugin. */
  metrics?: HttpMetrics;
  /**
   * Middlewares run before this handler, so requests may carry {@link HttpRequestState} overrides
   * (remoteAddr, attributes). Off, the state is not even looked at.
   */
  stateful?: boolean;
  /**
   * The tracer (otel plugin), when tracing is on: each worker execution gets a `worker.exec` span whose
   * context PHP receives in its `Traceparent` header. Absent, no span and no header copy is made.
   */
  tracer?: Tracer | undefined;
}

/** Per-request bookkeeping shared by the steps and the access log. */
interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** An HTTP/2 stream (Node's compat objects): no connection headers, no raw socket writes. */
  readonly h2: boolean;
  readonly started: number;
  /** Aborts when the client's connection closes. */
  readonly signal: AbortSignal;
  /** Body bytes written to the client. */
  bytes: number;
  /** Temp files of multipart uploads; deleted once the response closed and the worker is done. */
  tempFiles: string[] | undefined;
  /** The `worker.exec` span, when tracing. */
  span: TraceSpan | undefined;
}

/** Thrown inside a request to answer with a status and no body. */
class HttpStatus {
  constructor(
    readonly status: number,
    readonly reason: unknown,
  ) {}
}

/**
 * Builds the function that serves one request on raw Node objects: request → payload (PROTOCOL §4.2–4.5),
 * `pool.exec`, response (§4.6–4.7), access log, temp-file cleanup. It never throws.
 */
export function createRequestHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { pool, config, logger, metrics } = options;
  const tls = options.tls ?? false;
  const stateful = options.stateful ?? false;
  const tracer = options.tracer;
  const limit = config.max_request_size;
  const internalCode = config.internal_error_code;
  const debug = config.pool.debug;
  const proto = config.payload_encoding === 'proto';
  const rules: UploadRules = { dir: config.uploads.dir, forbid: new Set(config.uploads.forbid), allow: new Set(config.uploads.allow) };

  // ── request → payload ──────────────────────────────────────────────────────────────────────────
  /**
   * The payload of a request: synchronous when there is no body to read (most GETs), a promise
   * otherwise, so the common case pays for no extra async step.
   */
  function buildPayload(x: Exchange): Payload | Promise<Payload> {
    const { req } = x;
    const method = req.method ?? 'GET';
    if (method === 'HEAD' || method === 'OPTIONS') return encodePayload(x, EMPTY, false, null);
    const headers = req.headers;
    const length = headers['content-length'];
    if (length !== undefined && Number(length) > limit) throw new HttpStatus(413, httpErrors.BODY_TOO_LARGE(limit));
    // HTTP/2 needs no length for a body; a request without one ends with its HEADERS frame.
    const hasBody = x.h2
      ? !(req as unknown as Http2ServerRequest).stream.endAfterHeaders
      : (length !== undefined && length !== '0') || headers['transfer-encoding'] !== undefined;
    const type = headers['content-type'];
    if (type !== undefined && !config.raw_body) {
      if (type.includes('application/x-www-form-urlencoded')) {
        const toForm = (raw: Buffer): Payload => {
          const fields = parseUrlEncoded(raw.toString('utf8'));
          const body = fields.size === 0 ? (proto ? EMPTY : EMPTY_FORM) : Buffer.from(JSON.stringify(buildDataTree(fields)));
          return encodePayload(x, body, true, null);
        };
        return hasBody ? readBody(req, limit).then(toForm) : toForm(EMPTY);
      }
      if (type.includes('multipart/form-data')) {
        x.tempFiles = [];
        return readMultipart(req, limit, rules, x.tempFiles, logger).then((form) => {
          const body = form.fields.size === 0 && proto ? EMPTY : Buffer.from(JSON.stringify(buildDataTree(form.fields)));
          return encodePayload(x, body, true, buildFileTree(form.files));
        });
      }
    }
    return hasBody ? readBody(req, limit).then((body) => encodePayload(x, body, false, null)) : encodePayload(x, EMPTY, false, null);
  }

  function encodePayload(x: Exchange, body: Buffer, parsed: boolean, uploads: Tree | null): Payload {
    const { req } = x;
    const method = req.method ?? 'GET';
    const { headers, cookieLines } = collectHeaders(req.rawHeaders);
    // HTTP/2 may split Cookie into one field per pair; Go's server joins them back into one.
    if (x.h2 && cookieLines.length > 1) headers['Cookie'] = [cookieLines.join('; ')];
    const cookies = parseCookies(cookieLines);
    const { uri, rawQuery } = requestUri(req, tls);
    if (tracer !== undefined) x.span = startExecSpan(tracer, req, method, headers);
    let remoteAddr = remoteAddress(req);
    let attributes: Record<string, unknown> = {};
    if (stateful) {
      const state = (req as StatefulRequest)[HTTP_REQUEST_STATE];
      if (state !== undefined) {
        if (state.remoteAddr !== undefined) remoteAddr = state.remoteAddr;
        if (state.attributes !== undefined) attributes = state.attributes;
      }
    }
    const protocol = `HTTP/${req.httpVersion}`;
    if (proto) {
      const context = encodeProtoRequest({
        remoteAddr,
        protocol,
        method,
        uri,
        headers,
        cookies,
        rawQuery,
        parsed,
        uploads: uploads === null ? '' : JSON.stringify(uploads),
        attributes,
      });
      return { context, body, codec: CODEC_PROTO };
    }
    // Key order and presence are RoadRunner's; roadrunner-http ≤ 3.4 requires rawQuery, remoteAddr,
    // protocol, method, uri and parsed even when empty (PROTOCOL §10).
    const context = JSON.stringify({ remoteAddr, protocol, method, uri, headers, cookies, rawQuery, parsed, uploads, attributes });
    return { context: Buffer.from(context), body, codec: CODEC_JSON };
  }

  // ── result → response ──────────────────────────────────────────────────────────────────────────
  function writeFinal(x: Exchange, frame: Payload, status: number, headers: Record<string, unknown>, whole: boolean): void {
    const { res } = x;
    const h = prepareHeaders(headers);
    const body = frame.body;
    if (!h.hasContentType && body.length > 0) h.flat.push('Content-Type', sniffContentType(body));
    // A whole response gets a Content-Length (Go does the same for short bodies); streams go chunked.
    if (whole && !h.hasLength && h.trailers === undefined && status !== 204 && status !== 304) h.flat.push('Content-Length', String(body.length));
    if (h.trailers !== undefined) pendingTrailers.set(res, h.trailers);
    if (x.h2) dropConnectionHeaders(h.flat);
    const dropped = writeHeadSafe(res, status, h.flat);
    if (dropped.length > 0) logger.warn('invalid response headers from the worker were dropped', { headers: dropped });
  }

  /** Applies one frame's status and headers while the head is not sent; 1xx become interim responses. */
  function applyHead(x: Exchange, frame: Payload, whole: boolean): boolean {
    const ctx = decodeResponseContext(frame);
    if (ctx === undefined) return false;
    const status = ctx.status;
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new HttpStatus(500, `unknown status code from worker: ${status}`);
    if (status < 200) {
      writeInterim(x.res, status, ctx.headers, x.h2);
      return false;
    }
    writeFinal(x, frame, status, ctx.headers, whole);
    return true;
  }

  function finish(x: Exchange, body: Buffer): void {
    const trailers = pendingTrailers.get(x.res);
    if (trailers !== undefined) {
      if (body.length > 0) x.res.write(body);
      x.res.addTrailers(trailers);
      x.res.end();
    } else {
      x.res.end(body);
    }
    x.bytes += body.length;
  }

  function respondWhole(x: Exchange, result: Payload): void {
    if (!applyHead(x, result, true)) writeFinal(x, result, 200, {}, true);
    finish(x, result.body);
  }

  async function respondStream(x: Exchange, result: ExecResult & { stream: AsyncIterable<Payload> }): Promise<void> {
    const { res } = x;
    // Status and headers come from the first non-1xx frame; later frames' contexts are not even decoded.
    let headSent = false;
    const onFrame = async (frame: Payload): Promise<void> => {
      if (!headSent) headSent = applyHead(x, frame, false);
      if (!headSent && frame.body.length === 0) return;
      if (!headSent) {
        writeFinal(x, frame, 200, {}, false);
        headSent = true;
      }
      if (frame.body.length === 0) {
        // Nothing to write, but the client should see the head now (server-sent events start this way).
        res.flushHeaders();
        return;
      }
      x.bytes += frame.body.length;
      if (!res.write(frame.body)) await drained(res);
    };
    const frames = result.stream[Symbol.asyncIterator]();
    let done = false;
    try {
      await onFrame(result);
      while (!res.destroyed) {
        const next = await frames.next();
        if (next.done === true) {
          done = true;
          break;
        }
        await onFrame(next.value);
      }
    } finally {
      // Leaving early (client gone, bad frame) stops the worker's stream: the pool sends STOP and drains
      // the worker in the background; the response does not wait for that.
      if (!done) Promise.resolve(frames.return?.()).catch(ignore);
    }
    if (res.destroyed) return;
    if (!headSent) writeFinal(x, result, 200, {}, false);
    finish(x, EMPTY);
  }

  // ── errors ─────────────────────────────────────────────────────────────────────────────────────
  function fail(x: Exchange, err: unknown): void {
    const { res } = x;
    if (res.headersSent || res.destroyed) {
      // Mid-stream there is no way to report an error but to cut the response. A client that went away
      // is normal traffic (wrk stopping, a user closing the tab): debug, not error.
      if (x.signal.aborted) logger.debug('client went away', { uri: x.req.url });
      else if (!(err instanceof HttpStatus)) logger.error('response aborted', { error: messageOf(err), uri: x.req.url });
      res.destroy();
      return;
    }
    if (err instanceof HttpStatus) {
      if (err.status === 413) {
        sendError(x, 413, undefined, false, true);
      } else if (err.status === 500 && typeof err.reason === 'string') {
        // RoadRunner's own text for a bad status from the worker.
        logger.error('worker sent an invalid status', { error: err.reason });
        sendError(x, 500, err.reason, false, false);
      } else {
        logger.warn('bad request', { error: messageOf(err.reason), uri: x.req.url });
        sendError(x, err.status, undefined, false, false);
      }
      return;
    }
    if (isRrError(err, httpErrors.BODY_TOO_LARGE.code)) {
      sendError(x, 413, undefined, false, true);
      return;
    }
    if (isRrError(err, httpErrors.BAD_FORM.code)) {
      logger.warn('bad request', { error: err.message, uri: x.req.url });
      sendError(x, 400, undefined, false, false);
      return;
    }
    if (x.signal.aborted) return;
    const noWorkers = isRrError(err, NO_FREE_WORKERS);
    logger.error('request failed', { error: messageOf(err), code: isRrError(err) ? err.code : undefined, uri: x.req.url });
    sendError(x, internalCode, debug ? escapeHtml(messageOf(err)) : undefined, noWorkers, false);
  }

  function sendError(x: Exchange, status: number, text: string | undefined, noWorkers: boolean, close: boolean): void {
    const flat: string[] = [];
    if (noWorkers) flat.push('No-Workers', 'true');
    const body = text === undefined ? EMPTY : Buffer.from(text);
    if (body.length > 0) flat.push('Content-Type', 'text/plain; charset=utf-8');
    flat.push('Content-Length', String(body.length));
    // The rest of an over-large body is not read: the connection cannot be reused. An HTTP/2 stream is
    // reset with NO_ERROR once the answer is out instead, which tells the client to stop sending
    // (RFC 9113 §8.1) and leaves the connection's other streams alone.
    if (close && !x.h2) flat.push('Connection', 'close');
    x.res.writeHead(status, flat);
    if (close && x.h2) x.res.end(body, () => (x.res as unknown as Http2ServerResponse).stream.close());
    else x.res.end(body);
    x.bytes += body.length;
  }

  /** The client's address as logged: a middleware's override (proxy_ip_parser) wins, as in RoadRunner. */
  function clientAddress(req: IncomingMessage): string {
    return (stateful ? (req as StatefulRequest)[HTTP_REQUEST_STATE]?.remoteAddr : undefined) ?? remoteAddress(req);
  }

  // ── access log ─────────────────────────────────────────────────────────────────────────────────
  function accessLog(x: Exchange): void {
    const { req, res } = x;
    const elapsed = Math.round((performance.now() - x.started) * 1000) / 1000;
    if (!config.access_logs) {
      logger.debug('http log', { status: res.statusCode, method: req.method, uri: req.url, remote_addr: clientAddress(req), bytes: x.bytes, elapsed });
      return;
    }
    const h = req.headers;
    const q = (req.url ?? '').indexOf('?');
    logger.info('http access log', {
      status: res.statusCode,
      method: req.method,
      uri: req.url,
      remote_addr: clientAddress(req),
      bytes: x.bytes,
      elapsed,
      query: q < 0 ? '' : (req.url as string).slice(q + 1),
      host: h.host ?? '',
      user_agent: h['user-agent'] ?? '',
      referer: h.referer ?? '',
      content_length: Number(h['content-length'] ?? 0),
    });
  }

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const h2 = req.httpVersionMajor === 2;
    const x: Exchange = {
      req,
      res,
      h2,
      started: performance.now(),
      signal: h2 ? streamSignal(req) : connectionSignal(req),
      bytes: 0,
      tempFiles: undefined,
      span: undefined,
    };
    let closed = false;
    let settled = false;
    const cleanup = (): void => {
      if (!closed || !settled || x.tempFiles === undefined) return;
      for (const path of x.tempFiles) unlink(path, ignore);
      x.tempFiles = undefined;
    };
    metrics?.started();
    res.once('close', () => {
      closed = true;
      metrics?.finished(res.statusCode, (performance.now() - x.started) / 1000);
      accessLog(x);
      cleanup();
    });
    const onResult = (result: ExecResult): Promise<void> | undefined => {
      if (result.stream === undefined) {
        respondWhole(x, result);
        return undefined;
      }
      return respondStream(x, result as ExecResult & { stream: AsyncIterable<Payload> });
    };
    const exec = (payload: Payload): Promise<void | undefined> => pool.exec(payload, { signal: x.signal }).then(onResult);
    let done: Promise<void | undefined>;
    try {
      const payload = buildPayload(x);
      done = payload instanceof Promise ? payload.then(exec) : exec(payload);
    } catch (err) {
      done = Promise.reject(err);
    }
    done.then(
      () => {
        settled = true;
        if (x.span !== undefined) endExecSpan(x.span, res.statusCode, undefined);
        cleanup();
      },
      (err: unknown) => {
        settled = true;
        try {
          fail(x, err);
        } catch (failure) {
          // Answering the error failed too (the socket broke meanwhile): nothing left but to close.
          logger.error('could not answer a failed request', { error: messageOf(failure), uri: req.url });
          res.destroy();
        }
        // A client that went away is not a failure of the worker.
        if (x.span !== undefined) endExecSpan(x.span, res.statusCode, x.signal.aborted ? undefined : err);
        cleanup();
      },
    );
  };
}

const pendingTrailers = new WeakMap<ServerResponse, Record<string, string>>();

/**
 * Starts the `worker.exec` span of a request and writes its context into the headers PHP receives
 * (canonical names, as every other header, so PHP sees `Traceparent` whose parent is this span).
 * The parent is read from `req.headers`: the otel middleware, when it runs first, puts its SERVER span
 * there; otherwise this continues the client's own `traceparent`.
 */
function startExecSpan(tracer: Tracer, req: IncomingMessage, method: string, headers: Record<string, string[]>): TraceSpan {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const span = tracer.startSpan('worker.exec', {
    kind: 'internal',
    parent: req.headers,
    attributes: {
      'rr.plugin': 'http',
      'process.pid': process.pid,
      'http.request.method': method,
      'url.path': q < 0 ? target : target.slice(0, q),
    },
  });
  const carrier: Record<string, string | string[] | undefined> = {};
  span.inject(carrier);
  // The client's trace context goes even where the span has nothing to put (a tracestate of a
  // traceparent that was invalid): it belongs to another parent.
  delete headers['Traceparent'];
  delete headers['Tracestate'];
  for (const [name, value] of Object.entries(carrier)) {
    if (value !== undefined) headers[canonicalHeaderName(name)] = typeof value === 'string' ? [value] : value;
  }
  return span;
}

/** Ends a `worker.exec` span: failed when the exec failed or the answer is a 5xx. */
function endExecSpan(span: TraceSpan, status: number, err: unknown): void {
  span.setAttributes({ 'http.response.status_code': status });
  if (err !== undefined) span.fail(messageOf(err), err);
  else if (status >= 500) span.fail(`HTTP ${status}`);
  span.end();
}

type StatefulRequest = IncomingMessage & { [HTTP_REQUEST_STATE]?: HttpRequestState };

/** Removes the connection-specific lines HTTP/2 forbids from a flat header list, in place. */
function dropConnectionHeaders(flat: string[]): void {
  let j = 0;
  for (let i = 0; i < flat.length; i += 2) {
    if (H2_CONNECTION_HEADERS.has((flat[i] as string).toLowerCase())) continue;
    flat[j++] = flat[i] as string;
    flat[j++] = flat[i + 1] as string;
  }
  flat.length = j;
}

/**
 * An HTTP/2 request's AbortSignal, aborted when its stream closes (the client reset it, or the
 * connection went away). Per stream, not per connection: streams of one connection end independently,
 * and the compat `req.socket` forwards `once('close')` to the stream anyway.
 */
function streamSignal(req: IncomingMessage): AbortSignal {
  const controller = new AbortController();
  (req as unknown as Http2ServerRequest).stream.once('close', () => controller.abort());
  return controller.signal;
}

const kSignal = Symbol('rr.http.connectionSignal');
type SignalledSocket = Socket & { [kSignal]?: AbortSignal };

/**
 * One AbortSignal per connection, aborted when the client's connection closes: a queued request is
 * cancelled and a worker's stream stopped (the pool sends STOP). Requests on a connection share it, so
 * keep-alive traffic does not pay for an AbortController per request (a measurable cost in Node 20),
 * and a connection that closes takes all of its requests with it, which is the only way they end early.
 */
function connectionSignal(req: IncomingMessage): AbortSignal {
  const socket = req.socket as SignalledSocket;
  let signal = socket[kSignal];
  if (signal === undefined) {
    const controller = new AbortController();
    signal = controller.signal;
    socket[kSignal] = signal;
    socket.once('close', () => controller.abort());
  }
  return signal;
}

function ignore(): void {}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves on `drain`, or when the response closes (the client went away). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Reads a whole body into one Buffer, refusing more than `limit` bytes.
 *
 * @throws RR_ERR_HTTP_BODY_TOO_LARGE past the limit (reading stops there); the client's error when it
 * goes away mid-body.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: unknown): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) stop(httpErrors.BODY_TOO_LARGE(limit));
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      req.off('close', onClose);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onClose = (): void => {
      if (!req.complete) stop(new Error('the client closed the connection before sending the whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', stop);
  });
}
