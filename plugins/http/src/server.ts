import { METHODS, Server as Http1Server, createServer as createHttp1Server } from 'node:http';
import { Http2ServerResponse, createSecureServer, createServer as createH2Server, type Http2Session, type SecureServerOptions } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { formatAddress, parseListenAddress } from '@rr/config';
import type { Logger } from '@rr/contracts';
import type { RequestHandler } from './chain.js';
import { httpErrors } from './errors.js';
import type { TlsSetup } from './tls.js';

/**
 * Server timeouts. RoadRunner fixes read, write and read-header timeouts at 5 min and idle at 1 h in
 * Go; Node's closest equivalents:
 * - `requestTimeout` (whole request received) and `headersTimeout`: 5 min, Go's read / read-header;
 * - `connectionTimeout` (socket inactivity while a request is in flight): 5 min, standing in for Go's
 *   write timeout without cutting long streams that keep sending (Go's is an absolute deadline);
 * - `keepAliveTimeout` (idle keep-alive connection): 1 h, Go's idle timeout.
 */
export const SERVER_TIMEOUTS = {
  requestTimeout: 300_000,
  headersTimeout: 300_000,
  connectionTimeout: 300_000,
  keepAliveTimeout: 3_600_000,
} as const;

// Every method Node's parser accepts, except CONNECT (a tunnel, never a worker request).
const ALL_METHODS = METHODS.filter((m) => m !== 'CONNECT');
const NO_QUERY = Object.freeze({});

/** What one listener serves. */
export interface HttpServerOptions {
  address: string;
  bodyLimit: number;
  handle: RequestHandler;
  /** A TLS listener (HTTP/2 through ALPN `h2`, and HTTP/1.1). */
  tls?: TlsSetup;
  /** HTTP/2 with prior knowledge beside HTTP/1.1 on a plain listener. */
  h2c?: boolean;
  /** Concurrent streams per HTTP/2 connection. */
  maxConcurrentStreams?: number;
  /** For TLS handshake failures (debug). */
  logger?: Logger;
}

/**
 * The fastify front: one catch-all route handing raw Node objects to `handle`. A plain HTTP/1.1
 * listener is fastify's own http.Server, untouched (the benchmarked path); TLS and h2c listeners are
 * node:http2 servers given to fastify through `serverFactory`, so both kinds of request (HTTP/1 and
 * HTTP/2 compat objects) go through the same route, 503-on-drain and error handling.
 */
export class HttpServer {
  readonly #app: FastifyInstance;
  readonly #address: string;

  constructor(options: HttpServerOptions) {
    this.#address = options.address;
    const factory =
      options.tls !== undefined
        ? (handler: RequestHandler) => createTlsServer(handler, options.tls as TlsSetup, options)
        : options.h2c === true
          ? (handler: RequestHandler) => createH2cServer(handler, options)
          : undefined;
    const app = Fastify({
      ...(factory === undefined ? {} : { serverFactory: factory as unknown as FastifyServerFactory }),
      logger: false,
      bodyLimit: options.bodyLimit,
      requestTimeout: SERVER_TIMEOUTS.requestTimeout,
      connectionTimeout: SERVER_TIMEOUTS.connectionTimeout,
      keepAliveTimeout: SERVER_TIMEOUTS.keepAliveTimeout,
      // While draining, requests arriving on kept-alive connections get 503 + Connection: close.
      return503OnClosing: true,
      forceCloseConnections: 'idle',
      exposeHeadRoutes: false,
      // The worker parses the query itself (rawQuery); fastify need not.
      routerOptions: { querystringParser: () => NO_QUERY },
      // A URL find-my-way cannot decode is a client error, answered without fastify's JSON error text.
      // Malformed HTTP: a bare status line, as Go's server answers, instead of fastify's JSON.
      clientErrorHandler: (err, socket) => {
        const code = (err as NodeJS.ErrnoException).code;
        if (!socket.writable || code === 'ECONNRESET') {
          socket.destroy();
          return;
        }
        const status =
          code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      },
      frameworkErrors: (_err, _req, reply) => {
        void reply.hijack();
        reply.raw.writeHead(400, ['Content-Length', '0']).end();
      },
    });
    if (factory === undefined) app.server.headersTimeout = SERVER_TIMEOUTS.headersTimeout;
    // Registering every method as body-less keeps fastify's content-type parsers (and its 415s)
    // out of the way: the handler streams the raw body itself, enforcing max_request_size.
    for (const method of ALL_METHODS) app.addHttpMethod(method, { hasBody: false, overrideExisting: true });
    const handle = options.handle;
    app.route({
      method: ALL_METHODS,
      url: '*',
      handler(request, reply) {
        void reply.hijack();
        handle(request.raw, reply.raw);
      },
    });
    // Never leak fastify's error text to clients.
    app.setErrorHandler((_err, _request, reply) => {
      void reply.hijack();
      reply.raw.writeHead(500, ['Content-Length', '0']).end();
    });
    app.setNotFoundHandler((_request, reply) => {
      void reply.hijack();
      reply.raw.writeHead(404, ['Content-Length', '0']).end();
    });
    this.#app = app;
  }

  /**
   * Starts listening. `:port` binds every interface (dual-stack `::`, or `0.0.0.0` without IPv6).
   *
   * @returns the bound address with the real port (`127.0.0.1:43121`).
   * @throws RR_ERR_HTTP_LISTEN_FAILED
   */
  async listen(): Promise<string> {
    const parsed = parseListenAddress(this.#address);
    if (typeof parsed === 'string') throw httpErrors.LISTEN_FAILED(this.#address, parsed);
    const hosts = parsed.host === undefined ? ['::', '0.0.0.0'] : [parsed.host];
    let lastError: unknown;
    for (const host of hosts) {
      try {
        await this.#app.listen({ host, port: parsed.port });
        const bound = this.#app.server.address() as AddressInfo;
        return formatAddress(bound.address, bound.port);
      } catch (err) {
        lastError = err;
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') break;
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw httpErrors.LISTEN_FAILED(this.#address, reason, { cause: lastError });
  }

  /**
   * Stops accepting, lets in-flight requests finish, and cuts whatever is still open when `signal`
   * aborts. Safe when `listen` never ran.
   */
  async close(signal?: AbortSignal): Promise<void> {
    const server = this.#app.server as unknown as Closable;
    const force = (): void => server.closeAllConnections();
    if (signal?.aborted === true) force();
    else signal?.addEventListener('abort', force, { once: true });
    // Node closes idle keep-alive connections once, when close() starts; a connection whose in-flight
    // response finishes later would otherwise stay open until the client leaves (keep-alive is 1 h),
    // holding the stop until its deadline. Sweep them while draining; no per-request cost.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    try {
      await this.#app.close();
    } finally {
      clearInterval(sweep);
      signal?.removeEventListener('abort', force);
    }
  }
}

/** What {@link HttpServer.close} needs of any of its servers (http.Server has both). */
interface Closable {
  closeIdleConnections(): void;
  closeAllConnections(): void;
}

/**
 * The HTTP/2 compat response, with the `destroyed` that Node's HTTP/1 response has and the handler (and
 * middlewares) read to notice a client gone; Node 20's compat response lacks it (its types claim it).
 */
class RrHttp2ServerResponse extends Http2ServerResponse {}
Object.defineProperty(RrHttp2ServerResponse.prototype, 'destroyed', {
  get(this: Http2ServerResponse): boolean {
    return this.stream.destroyed;
  },
  configurable: true,
});

const h2Settings = (o: HttpServerOptions) => ({ maxConcurrentStreams: o.maxConcurrentStreams ?? 128 });

/** Go's idle timeout for HTTP/2 connections too: an idle session is closed after an hour. */
function trackSessions(server: { on(event: 'session', listener: (session: Http2Session) => void): unknown }): Set<Http2Session> {
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    session.setTimeout(SERVER_TIMEOUTS.keepAliveTimeout, () => session.close());
  });
  return sessions;
}

function trackSockets(server: NetServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

// Node's http1 connection bookkeeping (set up on 'listening') is what closeIdleConnections reads; an
// http2 server with allowHTTP1 has it too, for its HTTP/1 connections.
const closeIdleHttp1 = (server: object): void => Http1Server.prototype.closeIdleConnections.call(server as Http1Server);

/**
 * The TLS listener: node:http2's secure server with `allowHTTP1`, so ALPN picks h2 or http/1.1 and
 * both reach the same handler. Client certificate policies Node has no option for are checked right
 * after the handshake, before any request is read.
 */
function createTlsServer(handler: RequestHandler, tls: TlsSetup, o: HttpServerOptions): NetServer & Closable {
  const options: SecureServerOptions = {
    allowHTTP1: true,
    key: tls.key,
    cert: tls.cert,
    ca: tls.ca,
    requestCert: tls.requestCert,
    rejectUnauthorized: tls.rejectUnauthorized,
    settings: h2Settings(o),
    Http2ServerResponse: RrHttp2ServerResponse as unknown as typeof Http2ServerResponse,
  };
  const server = createSecureServer(options, handler as never);
  // HTTP/1 over TLS keeps the plain listener's timeouts.
  Object.assign(server, {
    requestTimeout: SERVER_TIMEOUTS.requestTimeout,
    headersTimeout: SERVER_TIMEOUTS.headersTimeout,
    keepAliveTimeout: SERVER_TIMEOUTS.keepAliveTimeout,
  });
  const admit = tls.admit;
  if (admit !== undefined) {
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      if (!admit(socket)) socket.destroy();
    });
  }
  server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    o.logger?.debug('tls handshake failed', { error: err.message, remote_addr: socket.remoteAddress });
  });
  const sockets = trackSockets(server);
  const sessions = trackSessions(server);
  return Object.assign(server, {
    closeIdleConnections(): void {
      closeIdleHttp1(server);
      // A graceful GOAWAY: streams in flight finish, new ones are refused.
      for (const session of sessions) session.close();
    },
    closeAllConnections(): void {
      for (const socket of sockets) socket.destroy();
    },
  });
}

// The connection preface every HTTP/2 client with prior knowledge starts with (RFC 9113 §3.4).
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * A plain listener speaking HTTP/1.1 and HTTP/2 with prior knowledge, as Go's server with
 * UnencryptedHTTP2: each connection's first bytes are compared with the HTTP/2 preface, then the
 * socket is handed to an HTTP/1 or an HTTP/2 server (neither listens itself). The HTTP/1 `Upgrade: h2c`
 * dance is not offered (RFC 9113 deprecated it; Go dropped it too): such requests are served as HTTP/1.1.
 */
function createH2cServer(handler: RequestHandler, o: HttpServerOptions): NetServer & Closable {
  const h1 = createHttp1Server(handler);
  h1.requestTimeout = SERVER_TIMEOUTS.requestTimeout;
  h1.headersTimeout = SERVER_TIMEOUTS.headersTimeout;
  h1.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeout;
  h1.setTimeout(SERVER_TIMEOUTS.connectionTimeout);
  const h2 = createH2Server({ settings: h2Settings(o), Http2ServerResponse: RrHttp2ServerResponse as unknown as typeof Http2ServerResponse }, handler as never);
  const sessions = trackSessions(h2);
  // Connections that have not sent enough bytes to tell belong to neither server yet.
  const undecided = new Set<Socket>();
  const front = createNetServer((socket) => {
    undecided.add(socket);
    socket.once('close', () => undecided.delete(socket));
    // Neither server's timeouts cover a connection that never says enough: the headers timeout does.
    const silent = (): void => {
      socket.destroy();
    };
    socket.setTimeout(SERVER_TIMEOUTS.headersTimeout, silent);
    let seen: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const h2Prefix = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      // Undecided while the bytes so far are a prefix of the preface but shorter than it.
      if (h2Prefix && n < PREFACE.length) return;
      socket.off('data', onData);
      socket.setTimeout(0);
      socket.off('timeout', silent);
      undecided.delete(socket);
      socket.pause();
      socket.unshift(seen);
      if (h2Prefix) {
        // The HTTP/2 session takes the socket's handle and drains what was unshifted itself.
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  const sockets = trackSockets(front);
  // fastify's clientErrorHandler is registered on the server it was given: the front.
  h1.on('clientError', (err: Error, socket: Socket) => {
    if (front.listenerCount('clientError') > 0) front.emit('clientError', err, socket);
    else socket.destroy();
  });
  // Starts the HTTP/1 server's connection bookkeeping (request/headers timeouts, idle connections)
  // as if it listened itself; closing it stops that again.
  front.on('listening', () => h1.emit('listening'));
  front.on('close', () => h1.close());
  return Object.assign(front, {
    closeIdleConnections(): void {
      h1.closeIdleConnections();
      for (const session of sessions) session.close();
      for (const socket of undecided) socket.destroy();
    },
    closeAllConnections(): void {
      for (const socket of sockets) socket.destroy();
    },
  });
}
