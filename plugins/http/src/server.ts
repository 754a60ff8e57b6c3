import { METHODS, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { formatAddress, parseListenAddress } from '@rr/config';
import { httpErrors } from './errors.js';

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

/** The fastify front: one catch-all route handing raw Node objects to `handle`. */
export class HttpServer {
  readonly #app: FastifyInstance;
  readonly #address: string;

  constructor(options: { address: string; bodyLimit: number; handle: (req: IncomingMessage, res: ServerResponse) => void }) {
    this.#address = options.address;
    const app = Fastify({
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
    app.server.headersTimeout = SERVER_TIMEOUTS.headersTimeout;
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
    const server = this.#app.server;
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
