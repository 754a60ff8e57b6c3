import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import { httpRequestState, type HttpMiddleware, type TraceAttributes, type Tracer } from '@rr/contracts';

/** The request headers the middleware replaces with its own context (RoadRunner's composite propagator). */
export const PROPAGATION_HEADERS = ['traceparent', 'tracestate', 'baggage', 'uber-trace-id'] as const;

// The methods the HTTP semantic conventions know; any other is reported as _OTHER.
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE', 'QUERY']);

/** Removes every line of a request header, in both views (`rawHeaders`, which the http plugin sends to PHP, and `headers`). */
function removeRequestHeader(req: IncomingMessage, name: string): void {
  const headers = req.headers;
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if ((raw[i] as string).toLowerCase() === name) raw.splice(i, 2);
  }
  delete headers[name];
}

function setRequestHeader(req: IncomingMessage, name: string, value: string): void {
  // Reading `headers` first materialises Node's lazily built object, so it is updated, not rebuilt later.
  const headers = req.headers;
  removeRequestHeader(req, name);
  req.rawHeaders.push(name, value);
  headers[name] = value;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** host[:port] of the Host header (or HTTP/2's :authority), brackets of an IPv6 literal removed. */
function serverAddress(req: IncomingMessage): { address?: string; port?: number } {
  const host = first(req.headers[':authority']) ?? req.headers.host;
  if (host === undefined || host === '') return {};
  try {
    const url = new URL(`http://${host}`);
    return { address: url.hostname.replace(/^\[(.*)\]$/, '$1'), ...(url.port === '' ? {} : { port: Number(url.port) }) };
  } catch {
    return { address: host };
  }
}

/** The attributes known when the request arrives (HTTP server semantic conventions, stable set). */
export function requestAttributes(req: IncomingMessage): { name: string; attributes: TraceAttributes } {
  const original = req.method ?? 'GET';
  const known = KNOWN_METHODS.has(original);
  let path: string;
  let query: string | undefined;
  try {
    // An absolute-form target (a proxy request) is parsed as is; an origin-form one against a dummy base.
    const url = new URL(req.url ?? '/', 'http://rr.invalid');
    path = url.pathname;
    query = url.search === '' ? undefined : url.search.slice(1);
  } catch {
    path = (req.url ?? '/').split('?')[0] as string;
  }
  const server = serverAddress(req);
  const socket = req.socket as TLSSocket | undefined;
  return {
    // "<METHOD> <path>": RoadRunner names the span by the request URI; the query string is left out
    // (it may carry secrets) and an unknown method reads HTTP, as the conventions ask.
    name: `${known ? original : 'HTTP'} ${path}`,
    attributes: {
      [ATTR_HTTP_REQUEST_METHOD]: known ? original : '_OTHER',
      [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: known ? undefined : original,
      [ATTR_URL_PATH]: path,
      [ATTR_URL_QUERY]: query,
      [ATTR_URL_SCHEME]: socket?.encrypted === true ? 'https' : 'http',
      [ATTR_SERVER_ADDRESS]: server.address,
      [ATTR_SERVER_PORT]: server.port,
      // proxy_ip_parser, when it ran before us, knows the client behind trusted proxies.
      [ATTR_CLIENT_ADDRESS]: httpRequestState(req).remoteAddr ?? socket?.remoteAddress,
      [ATTR_NETWORK_PEER_ADDRESS]: socket?.remoteAddress,
      [ATTR_NETWORK_PEER_PORT]: socket?.remotePort,
      [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
      [ATTR_USER_AGENT_ORIGINAL]: req.headers['user-agent'],
    },
  };
}

/**
 * RoadRunner's `otel` HTTP middleware: one SERVER span per request, the parent taken from the incoming
 * traceparent/tracestate/baggage/uber-trace-id, ended when the response is finished or the connection
 * closes. The span's own context replaces those request headers, so the next hop (the http plugin's
 * worker span, then PHP) continues the trace as its child.
 */
export function createOtelMiddleware(tracer: Tracer): HttpMiddleware {
  return {
    name: 'otel',
    handle(req, res, next) {
      const { name, attributes } = requestAttributes(req);
      const span = tracer.startSpan(name, { kind: 'server', parent: req.headers, attributes });

      const carrier: Record<string, string | string[] | undefined> = {};
      span.inject(carrier);
      for (const header of PROPAGATION_HEADERS) removeRequestHeader(req, header);
      for (const [header, value] of Object.entries(carrier)) {
        if (typeof value === 'string') setRequestHeader(req, header.toLowerCase(), value);
      }

      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        const status = res.statusCode;
        if (res.writableFinished) {
          span.setAttributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
          if (status >= 500) {
            span.setAttributes({ [ATTR_ERROR_TYPE]: String(status) });
            span.fail(`${status} ${STATUS_CODES[status] ?? ''}`.trim());
          }
        } else {
          if (res.headersSent) span.setAttributes({ [ATTR_HTTP_RESPONSE_STATUS_CODE]: status });
          span.fail('connection closed before the response was complete');
        }
        span.end();
      };
      res.once('finish', finish);
      res.once('close', finish);
      next();
    },
  };
}
