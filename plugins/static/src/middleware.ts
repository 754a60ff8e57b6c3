import { constants, type BigIntStats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import type { HttpMiddleware, HttpNext, Logger } from '@rr/contracts';
import { checkPreconditions, parseRange } from './conditional.js';
import type { StaticConfig } from './config.js';
import { staticErrors } from './errors.js';
import { EtagCache, weakEtag } from './etag.js';
import { contentTypeOf } from './mime.js';
import { classifyRequestPath } from './request-path.js';

export interface StaticMiddlewareOptions {
  config: StaticConfig;
  /** The real path of `config.dir`, from `resolveStaticRoot`. */
  root: string;
  logger?: Logger | undefined;
}

/**
 * The real path of `http.static.dir` (relative to the working directory), checked to be a directory.
 * Symlinks in `dir` itself are resolved here, once, so the containment check compares real paths.
 *
 * @throws RR_ERR_STATIC_DIR_NOT_FOUND, RR_ERR_STATIC_NOT_A_DIRECTORY
 */
export async function resolveStaticRoot(dir: string): Promise<string> {
  const absolute = isAbsolute(dir) ? dir : resolve(dir);
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (err) {
    throw staticErrors.DIR_NOT_FOUND(dir, (err as NodeJS.ErrnoException).code ?? String(err), { plugin: 'static', cause: err, details: { dir: absolute } });
  }
  if (!(await stat(real)).isDirectory()) throw staticErrors.NOT_A_DIRECTORY(dir, { plugin: 'static', details: { dir: real } });
  return real;
}

/** `.php` from `php`, `.PHP`, ` .php `; empty entries dropped, as RoadRunner skips them. */
function extensionSet(list: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const item of list) {
    const e = item.trim().toLowerCase();
    if (e !== '') out.add(e.startsWith('.') ? e : `.${e}`);
  }
  return out;
}

// O_NOFOLLOW: if the final component became a symlink after realpath, the open fails instead of following it.
// O_NONBLOCK: a FIFO named like a file must not park a thread-pool thread in open() waiting for a writer.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * RoadRunner's static middleware: answers GET and HEAD for files below `root` with an allowed extension,
 * and hands everything else to `next` (PHP). A `..` segment is answered 403 whatever exists on disk;
 * a path whose real location is outside `root` (a symlink out) is treated as missing.
 */
export function createStaticMiddleware({ config, root, logger }: StaticMiddlewareOptions): HttpMiddleware {
  const forbid = extensionSet(config.forbid);
  const allow = extensionSet(config.allow);
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  const etags = new EtagCache();

  function servable(ext: string): boolean {
    if (forbid.has(ext)) return false;
    return allow.size === 0 || allow.has(ext);
  }

  /** Opens the candidate if it is a regular file whose real path lies under root; otherwise undefined. */
  async function openInside(relative: string): Promise<{ fh: FileHandle; real: string; stat: BigIntStats } | undefined> {
    let real: string;
    try {
      real = await realpath(join(root, relative));
    } catch {
      return undefined;
    }
    if (!real.startsWith(rootPrefix)) {
      logger?.debug('symlink out of dir ignored', { path: relative });
      return undefined;
    }
    let fh: FileHandle;
    try {
      fh = await open(real, OPEN_FLAGS);
    } catch {
      return undefined;
    }
    try {
      const st = await fh.stat({ bigint: true });
      if (st.isFile()) return { fh, real, stat: st };
    } catch {
      // fall through to close
    }
    await fh.close().catch(() => undefined);
    return undefined;
  }

  async function serve(req: IncomingMessage, res: ServerResponse, next: HttpNext, relative: string, ext: string): Promise<void> {
    const file = await openInside(relative);
    if (file === undefined) return next();
    const { fh, real, stat: st } = file;
    let handedOff = false;
    try {
      // Everything that can fail runs before the first header is set, so a failure can still fall through.
      let etag: string | undefined;
      if (config.calculate_etag) {
        try {
          etag = config.weak ? weakEtag(st) : await etags.strong(real, fh, st);
        } catch (err) {
          logger?.debug('cannot read file for etag', { path: relative, error: String(err) });
          return next();
        }
      }
      const size = Number(st.size);
      const mtimeMs = Number(st.mtimeNs / 1_000_000n);

      // RoadRunner's order: ETag, then the configured request and response headers (which may replace
      // ETag or Content-Type), then ServeContent's own headers.
      if (etag !== undefined) res.setHeader('ETag', etag);
      for (const [name, value] of Object.entries(config.request)) {
        const key = name.toLowerCase();
        const prev = req.headers[key];
        req.headers[key] = prev === undefined || prev === '' ? value : `${Array.isArray(prev) ? prev.join(', ') : prev}, ${value}`;
      }
      for (const [name, value] of Object.entries(config.response)) res.setHeader(name, value);
      if (mtimeMs > 0) res.setHeader('Last-Modified', new Date(mtimeMs).toUTCString());

      const currentEtag = String(res.getHeader('etag') ?? '');
      const pre = checkPreconditions(req, currentEtag, mtimeMs);
      if (pre.kind === 'precondition-failed') return finish(res, 412);
      if (pre.kind === 'not-modified') {
        res.removeHeader('Content-Type');
        res.removeHeader('Content-Length');
        res.removeHeader('Content-Encoding');
        if (currentEtag !== '') res.removeHeader('Last-Modified');
        res.writeHead(304);
        res.end();
        return;
      }

      if (!res.hasHeader('content-type')) res.setHeader('Content-Type', contentTypeOf(ext));
      res.setHeader('Accept-Ranges', 'bytes');
      let start = 0;
      let end = size - 1;
      let status = 200;
      if (pre.range !== undefined) {
        const r = parseRange(pre.range, size);
        if (r.kind === 'unsatisfiable') {
          res.setHeader('Content-Range', `bytes */${size}`);
          res.removeHeader('Content-Type');
          return finish(res, 416);
        }
        if (r.kind === 'range') {
          ({ start, end } = r);
          status = 206;
          res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
        }
      }
      res.setHeader('Content-Length', String(end - start + 1));
      res.writeHead(status);
      if (req.method === 'HEAD' || end < start) {
        res.end();
        return;
      }
      handedOff = true;
      const stream = fh.createReadStream({ start, end, autoClose: true, highWaterMark: 64 * 1024 });
      pipeline(stream, res, (err) => {
        // A client that hangs up mid-file is routine; anything else (EIO) is worth a line.
        if (err && (err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
          logger?.warn('static file stream failed', { path: relative, error: String(err) });
        }
      });
    } finally {
      if (!handedOff) await fh.close().catch(() => undefined);
    }
  }

  return {
    name: 'static',
    handle(req, res, next) {
      let called = false;
      const once: HttpNext = (err) => {
        if (called) return;
        called = true;
        next(err);
      };
      const verdict = classifyRequestPath(req.url ?? '/');
      if (verdict.kind === 'traversal') {
        // RoadRunner answers 403 before looking at the disk, so the answer says nothing about what exists.
        logger?.debug('path traversal refused', { url: req.url });
        finish(res, 403);
        return;
      }
      if (verdict.kind === 'pass' || (req.method !== 'GET' && req.method !== 'HEAD') || !servable(verdict.ext)) {
        once();
        return;
      }
      serve(req, res, once, verdict.relative, verdict.ext).catch((err: unknown) => {
        if (!res.headersSent) once(err);
        else res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    },
  };
}

/** A bodiless status answer. */
function finish(res: ServerResponse, status: number): void {
  res.setHeader('Content-Length', '0');
  res.writeHead(status);
  res.end();
}
