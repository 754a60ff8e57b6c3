import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { absorbHeadHeaders, type HttpMiddleware, type Logger } from '@rr/contracts';
import { gzipErrors } from './errors.js';
import {
  GZIP_MIN_SIZE,
  NO_COMPRESSION_HEADER,
  addVaryAcceptEncoding,
  gzipQuality,
  headerText,
  isCompressibleType,
  weakenEtag,
} from './rules.js';

type Callback = (err?: Error | null) => void;
type Fn = (...args: unknown[]) => unknown;
interface Patchable {
  writeHead: Fn;
  write: Fn;
  end: Fn;
}

/** The `gzip` HTTP middleware: RoadRunner's gzip (klauspost gzhttp with its defaults, zstd off). */
export function createGzipMiddleware(options: { logger?: Logger } = {}): HttpMiddleware {
  return {
    name: 'gzip',
    handle(req, res, next) {
      compressResponse(req, res, options.logger);
      next();
    },
  };
}

/**
 * Rewrites `res` so that what the inner handlers write goes out gzipped when the client and the
 * response allow it. The decision is taken once, when the head is about to leave: from writeHead
 * (explicit or Node's implicit one), or from the first write/end before it.
 *
 * Every write after the head is compressed and flushed with Z_SYNC_FLUSH, so a streamed response
 * (chunked worker frames, server-sent events) reaches the client chunk by chunk instead of waiting for
 * zlib's window to fill. gzhttp flushes the same way when RoadRunner flushes each stream frame.
 */
export function compressResponse(req: IncomingMessage, res: ServerResponse, logger?: Logger): void {
  const accepts = req.method !== 'HEAD' && gzipQuality(req.headers['accept-encoding']) > 0;
  const target = res as unknown as Patchable;
  const orig = { writeHead: target.writeHead, write: target.write, end: target.end };
  let mode: 'pending' | 'plain' | 'gzip' = 'pending';
  let gz: Gzip | undefined;
  let ended = false;
  let congested = false;
  let forwardingDrain = false;
  let endCallback: Callback | undefined;

  const decide = (status: number, knownLength: number | undefined): void => {
    const optedOut = res.hasHeader(NO_COMPRESSION_HEADER);
    if (optedOut) res.removeHeader(NO_COMPRESSION_HEADER);
    addVaryAcceptEncoding(res);
    if (!accepts || optedOut || !compressible(res, status, knownLength)) {
      mode = 'plain';
      return;
    }
    mode = 'gzip';
    res.setHeader('Content-Encoding', 'gzip');
    res.removeHeader('Content-Length');
    // Byte ranges would index the identity body, not the gzipped one the client gets.
    res.removeHeader('Accept-Ranges');
    weakenEtag(res);
    gz = startGzip();
  };

  const startGzip = (): Gzip => {
    const stream = createGzip({ level: constants.Z_DEFAULT_COMPRESSION });
    stream.on('data', (chunk: Buffer) => {
      if (orig.write.call(res, chunk) === false) {
        congested = true;
        stream.pause();
      }
    });
    stream.on('end', () => orig.end.call(res, endCallback));
    stream.on('error', (err: Error) => {
      logger?.error('gzip failed', { code: gzipErrors.COMPRESS_FAILED.code, uri: req.url, error: gzipErrors.COMPRESS_FAILED(req.url ?? '', err.message).message });
      res.destroy(err);
    });
    // Callers wait for res 'drain' when write() says false; zlib's own drain must reach them too.
    stream.on('drain', () => {
      forwardingDrain = true;
      try {
        res.emit('drain');
      } finally {
        forwardingDrain = false;
      }
    });
    res.on('drain', () => {
      if (forwardingDrain || !congested) return;
      congested = false;
      stream.resume();
    });
    // A client that went away leaves zlib's memory to be freed now, not at the next GC.
    res.once('close', () => {
      if (!stream.writableFinished || stream.readableLength > 0) stream.destroy();
    });
    return stream;
  };

  /** Sends the head now (through the whole writeHead chain, as Node's implicit header does). */
  const sendHead = (): void => {
    if (!res.headersSent) res.writeHead(res.statusCode);
  };

  target.writeHead = function (this: ServerResponse, ...args: unknown[]): unknown {
    const status = args[0] as number;
    if (mode !== 'pending' || status < 200) return orig.writeHead.apply(this, args);
    const reason = typeof args[1] === 'string' ? args[1] : undefined;
    const headers = (typeof args[1] === 'string' ? args[2] : args[1]) as OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
    absorbHeadHeaders(this, headers);
    decide(status, undefined);
    return reason === undefined ? orig.writeHead.call(this, status) : orig.writeHead.call(this, status, reason);
  };

  target.write = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (mode === 'pending' && !this.headersSent) decide(this.statusCode, undefined);
    if (mode !== 'gzip' || gz === undefined) return orig.write.apply(this, args);
    if (ended) return false;
    sendHead();
    const [chunk, callback] = normalize(args);
    if (chunk.length === 0) {
      if (callback) process.nextTick(callback);
      return !congested;
    }
    const ok = gz.write(chunk, callback);
    gz.flush(constants.Z_SYNC_FLUSH);
    return ok && !congested;
  };

  target.end = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (mode === 'pending' && !this.headersSent) {
      const [chunk] = normalize(args);
      decide(this.statusCode, chunk.length);
    }
    if (mode !== 'gzip' || gz === undefined) return orig.end.apply(this, args);
    if (ended) return this;
    ended = true;
    sendHead();
    const [chunk, callback] = normalize(args);
    endCallback = callback;
    if (chunk.length > 0) gz.end(chunk);
    else gz.end();
    return this;
  };
}

/** Whether the response may be gzipped, by gzhttp's rules (the client's side was checked already). */
function compressible(res: ServerResponse, status: number, knownLength: number | undefined): boolean {
  // No body (204, 205, 304), or a byte range of the identity body (206).
  if (status === 204 || status === 205 || status === 304 || status === 206) return false;
  if ((headerText(res, 'content-encoding') ?? '') !== '') return false;
  if (res.hasHeader('content-range')) return false;
  // The worker's body is about to be replaced by the sendfile middleware: compressing it is wasted,
  // and a sendfile middleware listed outside gzip would otherwise stream a plain file under
  // Content-Encoding: gzip.
  if (res.hasHeader('x-sendfile')) return false;
  if (!isCompressibleType(headerText(res, 'content-type'))) return false;
  const declared = headerText(res, 'content-length');
  const length = declared !== undefined && /^\d+$/.test(declared.trim()) ? Number(declared) : knownLength;
  // Unknown length: a stream, compressed from its first chunk (gzhttp assumes the minimum on flush).
  return length === undefined || length >= GZIP_MIN_SIZE;
}

/** write/end arguments as (bytes, callback): `(chunk?, encoding?, cb?)` in any of Node's shapes. */
function normalize(args: unknown[]): [Buffer, Callback | undefined] {
  let [chunk, encoding, callback] = args;
  if (typeof chunk === 'function') {
    callback = chunk;
    chunk = undefined;
  } else if (typeof encoding === 'function') {
    callback = encoding;
    encoding = undefined;
  }
  const cb = typeof callback === 'function' ? (callback as Callback) : undefined;
  if (chunk === undefined || chunk === null) return [Buffer.alloc(0), cb];
  if (typeof chunk === 'string') return [Buffer.from(chunk, (encoding as BufferEncoding | undefined) ?? 'utf8'), cb];
  if (Buffer.isBuffer(chunk)) return [chunk, cb];
  if (chunk instanceof Uint8Array) return [Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), cb];
  return [Buffer.from(String(chunk)), cb];
}
