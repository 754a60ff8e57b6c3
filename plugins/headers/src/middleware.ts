import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '@rr/contracts';
import type { HttpMiddleware } from '@rr/contracts';
import type { HeadersConfig } from './config.js';
import { Cors } from './cors.js';
import { headersErrors } from './errors.js';
import { checkHeaderName, checkHeaderValue } from './validate.js';

type HeaderPair = [name: string, value: string];

// A client-sent id is kept only when it is harmless to log and to echo.
const SAFE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * Appends a header to the request, where the http plugin reads it (`rawHeaders`) and where other
 * middlewares do (`headers`), as Go's `r.Header.Add`.
 */
export function addRequestHeader(req: IncomingMessage, name: string, value: string): void {
  // Reading `headers` first materialises Node's lazily built object, so it is updated below, not rebuilt.
  const headers = req.headers;
  req.rawHeaders.push(name, value);
  const key = name.toLowerCase();
  const current = headers[key];
  if (current === undefined) headers[key] = key === 'set-cookie' ? [value] : value;
  else if (Array.isArray(current)) current.push(value);
  else headers[key] = `${current}${key === 'cookie' ? '; ' : ', '}${value}`;
}

/** Removes every line of a request header (both views). */
function removeRequestHeader(req: IncomingMessage, name: string): void {
  const headers = req.headers;
  const key = name.toLowerCase();
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if ((raw[i] as string).toLowerCase() === key) raw.splice(i, 2);
  }
  delete headers[key];
}

function values(header: OutgoingHttpHeader): string[] {
  return Array.isArray(header) ? header.map(String) : [String(header)];
}

/**
 * Adds `pairs` to `res` the way RoadRunner's middleware does: its values come first and whatever PHP
 * (or an inner middleware) set under the same name follows — Go's `Header().Set` before the handler,
 * then the handler's `Add`s — so PHP's values are never lost. A value already present is not repeated.
 */
function mergeInto(res: ServerResponse, pairs: readonly HeaderPair[]): void {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const entry = grouped.get(key) ?? { name, values: [] };
    entry.values.push(value);
    grouped.set(key, entry);
  }
  for (const { name, values: ours } of grouped.values()) {
    const existing = res.getHeader(name);
    const theirs = existing === undefined ? [] : values(existing);
    const merged = [...ours, ...theirs.filter((v) => !ours.includes(v))];
    res.setHeader(name, merged.length === 1 ? (merged[0] as string) : merged);
  }
}

/** Applies the headers passed to `writeHead` as Node itself would when `setHeader` was used before. */
function fold(res: ServerResponse, headers: OutgoingHttpHeaders | readonly unknown[]): void {
  if (Array.isArray(headers)) {
    const flat: unknown[] = headers.length > 0 && Array.isArray(headers[0]) ? (headers as unknown[][]).flat() : [...headers];
    for (let i = 0; i < flat.length; i += 2) res.removeHeader(String(flat[i]));
    for (let i = 0; i < flat.length; i += 2) res.appendHeader(String(flat[i]), flat[i + 1] as string);
    return;
  }
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) res.setHeader(name, value as OutgoingHttpHeader);
}

/**
 * Makes sure `pairs()` reach the response head whoever writes it and however (`writeHead` with its own
 * headers, `setHeader` then an implicit head): the only place both PHP's and ours are known is the moment
 * the head is written.
 */
function onHead(res: ServerResponse, pairs: () => readonly HeaderPair[]): void {
  const original = res.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  let done = false;
  const patched = function (this: ServerResponse, statusCode: number, ...rest: unknown[]): ServerResponse {
    if (done || this.headersSent) return original.call(this, statusCode, ...rest);
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
    const headers = (reason === undefined ? rest[0] : rest[1]) as OutgoingHttpHeaders | unknown[] | undefined;
    const before = this.getHeaderNames().map((name) => [name, this.getHeader(name)] as const);
    try {
      if (headers !== undefined && headers !== null) fold(this, headers);
      mergeInto(this, pairs());
    } catch (err) {
      // An invalid header from PHP: leave res as it was, so the caller's own recovery (the http plugin
      // drops the bad lines and writes the head again) starts from a clean slate and reaches us again.
      for (const name of this.getHeaderNames()) this.removeHeader(name);
      for (const [name, value] of before) if (value !== undefined) this.setHeader(name, value);
      throw err;
    }
    done = true;
    return reason === undefined ? original.call(this, statusCode) : original.call(this, statusCode, reason);
  };
  res.writeHead = patched as ServerResponse['writeHead'];
}

/**
 * The headers middleware: RoadRunner's `http.headers` (request headers, response headers, CORS) plus
 * rr's optional per-request id.
 *
 * @throws RR_ERR_HEADERS_INVALID_HEADER for a header name or value Node cannot send
 * @throws RR_ERR_HEADERS_INVALID_ORIGIN_REGEX when cors.allowed_origin_regex does not compile
 */
export function createHeadersMiddleware(config: HeadersConfig, logger?: Logger): HttpMiddleware {
  const request = Object.entries(config.request);
  const response = Object.entries(config.response);
  for (const [where, pairs] of [['http.headers.request', request], ['http.headers.response', response]] as const) {
    for (const [name, value] of pairs) {
      const problem = checkHeaderName(name) ?? checkHeaderValue(value);
      if (problem !== undefined) throw headersErrors.INVALID_HEADER(where, name, problem);
    }
  }
  const cors = config.cors === undefined ? undefined : new Cors(config.cors);
  const debug = config.cors?.debug === true && logger !== undefined ? logger : undefined;
  const requestId = config.request_id;
  if (requestId !== undefined) {
    const problem = checkHeaderName(requestId.header);
    if (problem !== undefined) throw headersErrors.INVALID_HEADER('http.headers.request_id', requestId.header, problem);
  }

  return {
    name: 'headers',
    handle(req, res, next) {
      const extra: HeaderPair[] = [...response];
      if (requestId !== undefined) {
        const sent = req.headers[requestId.header.toLowerCase()];
        let id = typeof sent === 'string' && requestId.trust_incoming && SAFE_REQUEST_ID.test(sent) ? sent : undefined;
        if (id === undefined) {
          id = randomUUID();
          removeRequestHeader(req, requestId.header);
          addRequestHeader(req, requestId.header, id);
        }
        extra.push([requestId.header, id]);
      }
      // The CORS decision is made on the request as the client sent it, before configured headers are added.
      const decision = cors?.decide(req);
      if (decision !== undefined) {
        extra.push(...decision.headers);
        if (debug !== undefined) {
          debug.debug(decision.refused === undefined ? 'cors allowed' : 'cors refused', {
            method: req.method,
            uri: req.url,
            origin: req.headers.origin,
            preflight: decision.preflight,
            ...(decision.refused === undefined ? {} : { reason: decision.refused }),
          });
        }
      }
      if (extra.length > 0) onHead(res, () => extra);
      if (decision?.preflight === true) {
        res.writeHead(decision.status);
        res.end();
        return;
      }
      for (const [name, value] of request) addRequestHeader(req, name, value);
      next();
    },
  };
}
