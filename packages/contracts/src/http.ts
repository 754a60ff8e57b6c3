import { validateHeaderName, validateHeaderValue, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
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

/**
 * Moves the headers given to `writeHead` into the response's header map, with writeHead's own
 * semantics (a name given there replaces an earlier setHeader; repeated names in the flat array form
 * all stay), so a middleware (gzip, sendfile …) can read and rewrite the head before it is sent. Everything
 * is validated first: a bad header throws before the response changes, as writeHead itself does.
 */
export function absorbHeadHeaders(res: ServerResponse, headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): void {
  if (headers === undefined || headers === null) return;
  const grouped = new Map<string, { name: string; values: (string | number)[] }>();
  const add = (name: string, value: OutgoingHttpHeader | undefined): void => {
    if (value === undefined) return;
    validateHeaderName(name);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) validateHeaderValue(name, String(v));
    const key = name.toLowerCase();
    const entry = grouped.get(key);
    if (entry === undefined) grouped.set(key, { name, values: [...values] });
    else entry.values.push(...values);
  };
  if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) throw new TypeError('writeHead: the flat header array must hold name/value pairs');
    for (let i = 0; i < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  for (const { name, values } of grouped.values()) {
    res.setHeader(name, values.length === 1 ? (values[0] as string | number) : values.map(String));
  }
}
