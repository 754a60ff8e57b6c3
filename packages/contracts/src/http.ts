import type { IncomingMessage, ServerResponse } from 'node:http';
import { manyRef } from '@rr/kernel';

/** Passes the request on to the next middleware (or to PHP); with an error, the http plugin answers 500. */
export type HttpNext = (err?: unknown) => void;

/**
 * An HTTP middleware (RoadRunner's static, headers, gzip, sendfile, proxy_ip_parser …), provided by a
 * middleware plugin and collected by the http plugin. It runs only when its `name` is listed in
 * `http.middleware`, in that order, outermost first; PHP is the innermost handler. Connect-style on
 * Node's own objects, so well-kept Node middlewares can be wrapped: answer `res` to stop the chain, or
 * call `next()` to go on (patching `res` to rewrite the response on its way out, as gzip does).
 * A middleware reads its own config section (`http.static`, `http.headers` …) through its plugin.
 */
export interface HttpMiddleware {
  /** The name users write in `http.middleware`. */
  name: string;
  handle(req: IncomingMessage, res: ServerResponse, next: HttpNext): void;
}

export const httpMiddlewaresRef = manyRef<HttpMiddleware>('http.middlewares');

/**
 * Request facts a middleware may override before PHP sees them, stored on the request under this
 * symbol: `remoteAddr` (proxy_ip_parser: the client behind trusted proxies) and `attributes`
 * (RoadRunner's request attributes, passed to PHP in the request context).
 */
export const HTTP_REQUEST_STATE = Symbol.for('rr.http.requestState');

export interface HttpRequestState {
  remoteAddr?: string;
  attributes?: Record<string, unknown>;
}

/** The state of `req`, created on first use. */
export function httpRequestState(req: IncomingMessage): HttpRequestState {
  const holder = req as IncomingMessage & { [HTTP_REQUEST_STATE]?: HttpRequestState };
  return (holder[HTTP_REQUEST_STATE] ??= {});
}
