import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isAbsolute } from 'node:path';
import { absorbHeadHeaders, type HttpMiddleware, type Logger } from '@rr/contracts';
import type { RrError } from '@rr/errors';
import { sendfileErrors } from './errors.js';
import { contentTypeOf } from './mime.js';

/** The response header a worker sets to have rr stream a file instead of its own body. */
export const X_SENDFILE = 'X-Sendfile';

/**
 * Read size while streaming a file. RoadRunner reads 10 MB at a time; Node streams with backpressure,
 * so a smaller buffer keeps memory per download low without costing throughput.
 */
export const SENDFILE_CHUNK_SIZE = 256 * 1024;

/** Headers that describe the worker's body, not the file, and so never accompany an error reply. */
const ENTITY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-range', 'content-disposition', 'content-language', 'etag', 'last-modified', 'accept-ranges', 'transfer-encoding'];

/** Errors for which the file is simply not there: 404, as RoadRunner answers a failed stat. */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP']);

type Callback = (err?: Error | null) => void;
type Fn = (...args: unknown[]) => unknown;
interface Patchable {
  writeHead: Fn;
  write: Fn;
  end: Fn;
  flushHeaders: Fn;
}

/** The `sendfile` HTTP middleware: RoadRunner's send plugin (X-Sendfile). */
export function createSendfileMiddleware(options: { logger: Logger }): HttpMiddleware {
  return {
    name: 'sendfile',
    handle(req, res, next) {
      interceptSendfile(req, res, options.logger);
      next();
    },
  };
}

/**
 * Watches the head the inner handlers send. When it carries `X-Sendfile: <path>`, the head is held,
 * everything the worker writes is discarded (the worker is free at once), and the file is streamed
 * instead with its own Content-Length, a Content-Type by extension and Last-Modified (unless the worker
 * set them). Any other response passes through untouched.
 *
 * The path is trusted: it comes from the application, as with nginx's X-Accel-Redirect or Apache's
 * mod_xsendfile, and may name any file rr can read. Only relative paths, `..` and NUL bytes are refused.
 */
export function interceptSendfile(req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const target = res as unknown as Patchable;
  const orig = { writeHead: target.writeHead, write: target.write, end: target.end, flushHeaders: target.flushHeaders };
  let mode: 'pending' | 'pass' | 'file' = 'pending';
  // HTTP/2 compatibility responses have no `destroyed`; 'close' is what both kinds emit.
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  const gone = (): boolean => closed || res.destroyed === true;

  const resolve = (status: number): 'pass' | 'file' => {
    const raw = res.getHeader(X_SENDFILE);
    if (raw !== undefined) res.removeHeader(X_SENDFILE);
    const path = raw === undefined ? '' : (Array.isArray(raw) ? (raw[0] ?? '') : String(raw)).trim();
    if (path === '') return (mode = 'pass');
    mode = 'file';
    void serveFile(path, status);
    return 'file';
  };

  const fail = (err: RrError, path: string, level: 'error' | 'debug' = 'error'): void => {
    logger[level]('sendfile failed', { code: err.code, path, uri: req.url, error: err.message });
  };

  /** An error status with only the headers that do not describe a body (cookies, CORS … stay). */
  const reply = (status: number, body: string): void => {
    if (gone()) return;
    for (const name of ENTITY_HEADERS) res.removeHeader(name);
    if (body !== '') {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    }
    res.setHeader('Content-Length', Buffer.byteLength(body));
    orig.writeHead.call(res, status);
    orig.end.call(res, body);
  };

  const serveFile = async (path: string, status: number): Promise<void> => {
    if (path.includes('\0') || !isAbsolute(path) || path.includes('..')) {
      fail(sendfileErrors.FORBIDDEN_PATH(JSON.stringify(path)), path);
      reply(403, '');
      return;
    }
    let file: FileHandle;
    try {
      file = await open(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (MISSING.has(code)) {
        fail(sendfileErrors.NOT_FOUND(path, code), path);
        reply(404, 'not found\n');
      } else {
        // RoadRunner answers 500 with the Go error text; the text names the path, so it stays in the log.
        fail(sendfileErrors.READ_FAILED(path, (err as Error).message), path);
        reply(500, 'internal server error\n');
      }
      return;
    }
    let streaming = false;
    try {
      const stat = await file.stat();
      if (!stat.isFile()) {
        fail(sendfileErrors.NOT_FOUND(path, 'not a regular file'), path);
        reply(404, 'not found\n');
        return;
      }
      if (gone()) return;
      for (const name of ['content-length', 'transfer-encoding', 'content-range']) res.removeHeader(name);
      res.setHeader('Content-Length', stat.size);
      if (!res.hasHeader('content-type')) res.setHeader('Content-Type', contentTypeOf(path));
      if (!res.hasHeader('last-modified')) res.setHeader('Last-Modified', stat.mtime.toUTCString());
      orig.writeHead.call(res, bodyStatus(status));
      if (req.method === 'HEAD' || stat.size === 0) {
        orig.end.call(res);
        return;
      }
      streaming = true;
      await pump(file, stat.size);
    } catch (err) {
      fail(sendfileErrors.READ_FAILED(path, (err as Error).message), path, gone() ? 'debug' : 'error');
      if (!res.headersSent) reply(500, 'internal server error\n');
      else res.destroy();
    } finally {
      if (!streaming) await file.close().catch(() => undefined);
    }
  };

  /** Streams the file (never past the size announced in Content-Length) with backpressure. */
  const pump = async (file: FileHandle, size: number): Promise<void> => {
    const stream = file.createReadStream({ start: 0, end: size - 1, highWaterMark: SENDFILE_CHUNK_SIZE });
    const onClose = (): void => {
      stream.destroy();
    };
    res.once('close', onClose);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (gone()) return;
        if (orig.write.call(res, chunk) === false) await drainedOrClosed(res);
      }
      if (!gone()) orig.end.call(res);
    } catch (err) {
      // The client going away destroys the stream on purpose: not a read failure.
      if (gone()) return;
      throw err;
    } finally {
      res.off('close', onClose);
      stream.destroy();
    }
  };

  target.writeHead = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (mode === 'file') return this;
    const status = args[0] as number;
    if (mode === 'pass' || status < 200) return orig.writeHead.apply(this, args);
    const reason = typeof args[1] === 'string' ? args[1] : undefined;
    const headers = (typeof args[1] === 'string' ? args[2] : args[1]) as OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined;
    absorbHeadHeaders(this, headers);
    if (resolve(status) === 'file') return this;
    return reason === undefined ? orig.writeHead.call(this, status) : orig.writeHead.call(this, status, reason);
  };

  target.write = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (mode === 'pending' && !this.headersSent) resolve(this.statusCode);
    if (mode !== 'file') return orig.write.apply(this, args);
    // The worker's body is discarded; acknowledging it keeps the worker (and the http plugin) moving.
    callbackOf(args)?.();
    return true;
  };

  target.end = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (mode === 'pending' && !this.headersSent) resolve(this.statusCode);
    if (mode !== 'file') return orig.end.apply(this, args);
    callbackOf(args)?.();
    return this;
  };

  target.flushHeaders = function (this: ServerResponse, ...args: unknown[]): unknown {
    if (mode === 'pending' && !this.headersSent) resolve(this.statusCode);
    if (mode === 'file') return undefined;
    return orig.flushHeaders.apply(this, args);
  };
}

/** The worker's status when a body may go with it; 200 otherwise (a 204 or 304 cannot carry the file). */
function bodyStatus(status: number): number {
  return status >= 200 && status <= 599 && status !== 204 && status !== 205 && status !== 206 && status !== 304 ? status : 200;
}

function callbackOf(args: unknown[]): Callback | undefined {
  for (let i = args.length - 1; i >= 0; i--) if (typeof args[i] === 'function') return args[i] as Callback;
  return undefined;
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
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
