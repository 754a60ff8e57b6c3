import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpMiddleware, Logger } from '@rr/contracts';

/** Serves one request on Node's objects (HTTP/1 ones, or HTTP/2 compat ones passed as such). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The middlewares named in `http.middleware`, in list order, out of the collected ones; names nothing
 * provides are left out (the plugin warns about them at init). A name listed twice runs twice, as in
 * RoadRunner.
 */
export function resolveMiddlewares(order: readonly string[], collected: readonly HttpMiddleware[], logger: Logger): HttpMiddleware[] {
  const byName = new Map<string, HttpMiddleware>();
  for (const m of collected) {
    if (byName.has(m.name)) logger.warn('two plugins provide the same middleware; the first one is used', { middleware: m.name });
    else byName.set(m.name, m);
  }
  const out: HttpMiddleware[] = [];
  for (const name of order) {
    const m = byName.get(name);
    if (m !== undefined) out.push(m);
  }
  return out;
}

/**
 * Wraps `inner` (PHP) in `middlewares`, the first outermost. Without middlewares `inner` itself is
 * returned, so the hot path pays nothing for the chain. `next(err)` and a middleware that throws
 * answer 500 (logged); once the response has started, the connection is cut instead. A second call of
 * the same `next` is ignored: the request must reach the inner handler at most once.
 */
export function buildChain(middlewares: readonly HttpMiddleware[], inner: RequestHandler, logger: Logger): RequestHandler {
  let handler = inner;
  for (let i = middlewares.length - 1; i >= 0; i--) handler = wrap(middlewares[i] as HttpMiddleware, handler, logger);
  return handler;
}

function wrap(middleware: HttpMiddleware, inner: RequestHandler, logger: Logger): RequestHandler {
  const name = middleware.name;
  return (req, res) => {
    let called = false;
    const next = (err?: unknown): void => {
      if (called) {
        logger.warn('a middleware called next() twice; the second call is ignored', { middleware: name, uri: req.url });
        return;
      }
      called = true;
      if (err === undefined || err === null) inner(req, res);
      else failed(name, req, res, err, logger);
    };
    try {
      middleware.handle(req, res, next);
    } catch (err) {
      if (called) {
        // The request went on already (maybe to PHP): it is not ours to answer any more.
        logger.error('middleware threw after calling next()', { middleware: name, error: messageOf(err), uri: req.url });
        return;
      }
      called = true;
      failed(name, req, res, err, logger);
    }
  };
}

function failed(name: string, req: IncomingMessage, res: ServerResponse, err: unknown, logger: Logger): void {
  logger.error('middleware failed', { middleware: name, error: messageOf(err), uri: req.url });
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  try {
    res.writeHead(500, ['Content-Length', '0']).end();
  } catch {
    res.destroy();
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
