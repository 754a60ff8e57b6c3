import { lstat, unlink } from 'node:fs/promises';
import { IncomingMessage, STATUS_CODES, ServerResponse } from 'node:http';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Duplex, type DuplexOptions } from 'node:stream';
import { formatAddress } from '@rr/config';
import type { Logger } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import type { RequestHandler } from './chain.js';
import { parseFcgiAddress } from './config.js';
import { httpErrors } from './errors.js';
import {
  FCGI_KEEP_CONN,
  FCGI_RESPONDER,
  FcgiStatus,
  FcgiType,
  RecordParser,
  decodePairs,
  encodePairs,
  encodeRecords,
  endRequestBody,
  unknownTypeBody,
  type FcgiRecord,
} from './fcgi-record.js';
import { canonicalHeaderName } from './request.js';
import { SERVER_TIMEOUTS } from './server.js';

/**
 * The FastCGI listener (`http.fcgi.address`): a FastCGI 1.0 responder written against the spec, so
 * nginx (`fastcgi_pass`) or Apache (`mod_proxy_fcgi`) can talk to rr directly.
 *
 * Design: every FastCGI request becomes a real `http.IncomingMessage` and `http.ServerResponse` (Node's
 * own classes, as node:http's server builds them) over a small per-request Duplex standing in for the
 * socket, and is handed to the very handler the HTTP listener uses (middleware chain + PHP). So
 * everything that works on Node's objects — middlewares (static, gzip, headers…), streaming with
 * backpressure, metrics, access logs, tracing — works unchanged, with no second implementation of the
 * response API to keep in step. The response bytes Node writes to that socket (an HTTP/1.x head, then
 * the body) are translated on the fly: the head becomes a CGI head (`Status: 200 OK`, headers, blank
 * line; connection-level headers dropped; 1xx interim heads dropped, CGI has none), chunked framing
 * (only when a worker sets Transfer-Encoding itself) is removed, and every write goes out at once as
 * FCGI_STDOUT records (≤ 65535 bytes each), so streamed responses flush as they come. The alternative,
 * feeding synthetic HTTP/1.1 bytes to a node:http server, would have needed every CGI param to survive
 * Node's HTTP parser (header size and byte limits) and a second parser on the way out; building the
 * objects directly keeps the request exact and the translation one-way.
 *
 * Node's server does two things for its responses that no public API does, and this file does them
 * the same way: it re-emits `drain` on the response when the socket drains (the handler and gzip wait
 * for it), and ends the response's life (`close`) by closing its socket once the response finished.
 */

/**
 * Most bytes of CGI params (PARAMS streams) buffered on one connection — one request's, or the sum of
 * those multiplexed requests still sending theirs; past it the connection is closed.
 */
export const FCGI_MAX_PARAMS = 1024 * 1024;
/** FCGI_MAX_CONNS, enforced as the listener's maxConnections. */
export const FCGI_MAX_CONNS = 10_000;
/** FCGI_MAX_REQS: concurrent requests over all connections; more get END_REQUEST with FCGI_OVERLOADED. */
export const FCGI_MAX_REQS = 10_000;
/** After rr ends a connection, how long the peer has to close its side before the socket is destroyed. */
const CLOSE_GRACE_MS = 2_000;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const EMPTY = Buffer.alloc(0);

/** What one FastCGI listener serves. */
export interface FcgiServerOptions {
  /** `http.fcgi.address`, as written. */
  address: string;
  /** `http.max_request_size`: STDIN past it is not buffered (the handler answers 413). */
  bodyLimit: number;
  /** Requests without `HTTPS=on` (scheme http). */
  handle: RequestHandler;
  /** Requests with `HTTPS=on` (scheme https in the URI PHP sees). */
  handleTls: RequestHandler;
  logger: Logger;
}

/** State shared by the listener and its connections. */
interface Shared {
  readonly options: FcgiServerOptions;
  readonly connections: Set<Connection>;
  draining: boolean;
  /** Requests begun and not yet ended, over all connections. */
  active: number;
}

/** A FastCGI listener on TCP or a unix socket. */
export class FcgiServer {
  readonly #shared: Shared;
  readonly #server: Server;
  #unixPath: string | undefined;

  constructor(options: FcgiServerOptions) {
    this.#shared = { options, connections: new Set(), draining: false, active: 0 };
    this.#server = createServer((socket) => {
      if (this.#shared.draining) {
        socket.destroy();
        return;
      }
      this.#shared.connections.add(new Connection(socket, this.#shared));
    });
    this.#server.maxConnections = FCGI_MAX_CONNS;
  }

  /**
   * Starts listening. A unix socket file left behind by a process that is gone is replaced (as
   * RoadRunner does); a socket another process still listens on, or a path that is not a socket, is
   * refused.
   *
   * @returns the bound address: `127.0.0.1:9000` (the real port) or `unix:///run/rr.sock`.
   * @throws RR_ERR_HTTP_LISTEN_FAILED
   */
  async listen(): Promise<string> {
    const address = this.#shared.options.address;
    const parsed = parseFcgiAddress(address);
    if (typeof parsed === 'string') throw httpErrors.LISTEN_FAILED(address, parsed);
    if (parsed.kind === 'unix') {
      await removeStaleSocket(address, parsed.path);
      try {
        await this.#listenOn({ path: parsed.path });
      } catch (err) {
        throw httpErrors.LISTEN_FAILED(address, messageOf(err), { cause: err });
      }
      this.#unixPath = parsed.path;
      this.#watchErrors();
      return `unix://${parsed.path}`;
    }
    const hosts = parsed.host === undefined ? ['::', '0.0.0.0'] : [parsed.host];
    let lastError: unknown;
    for (const host of hosts) {
      try {
        await this.#listenOn({ host, port: parsed.port });
        this.#watchErrors();
        const bound = this.#server.address() as AddressInfo;
        return formatAddress(bound.address, bound.port);
      } catch (err) {
        lastError = err;
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') break;
      }
    }
    throw httpErrors.LISTEN_FAILED(address, messageOf(lastError), { cause: lastError });
  }

  /**
   * Stops accepting, closes idle connections, lets requests in flight finish (a connection closes once
   * its last request ended; a request begun meanwhile gets 503), and cuts everything still open when
   * `signal` aborts. Removes the unix socket file. Safe when `listen` never ran.
   */
  async close(signal?: AbortSignal): Promise<void> {
    const shared = this.#shared;
    shared.draining = true;
    const force = (): void => {
      for (const c of shared.connections) c.socket.destroy();
    };
    if (signal?.aborted === true) force();
    else signal?.addEventListener('abort', force, { once: true });
    try {
      if (this.#server.listening) {
        const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
        for (const c of shared.connections) c.drain();
        await closed;
      }
    } finally {
      signal?.removeEventListener('abort', force);
      const path = this.#unixPath;
      this.#unixPath = undefined;
      // libuv unlinks a listening socket's file when it closes; this covers a Node that would not.
      if (path !== undefined) await unlink(path).catch(ignore);
    }
  }

  #listenOn(options: { path: string } | { host: string; port: number }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(options, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
  }

  /** Errors after listening (accept failing on EMFILE) are logged; an unhandled one would end rr. */
  #watchErrors(): void {
    this.#server.on('error', (err) => this.#shared.options.logger.error('fcgi listener error', { error: err.message }));
  }
}

/** Unlinks a unix socket file nobody listens on any more; refuses a live socket or a non-socket. */
async function removeStaleSocket(address: string, path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw httpErrors.LISTEN_FAILED(address, messageOf(err), { cause: err });
  }
  if (!isSocket) throw httpErrors.LISTEN_FAILED(address, `${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = createConnection(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw httpErrors.LISTEN_FAILED(address, 'another process is listening on this socket (EADDRINUSE)');
  await unlink(path).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw httpErrors.LISTEN_FAILED(address, messageOf(err), { cause: err });
  });
}

/** One FastCGI connection from the web server: records in, requests demultiplexed by id. */
class Connection {
  readonly requests = new Map<number, Exchange>();
  readonly #parser = new RecordParser();
  readonly #shared: Shared;
  /** Close once no request is active (no KEEP_CONN, or the listener is draining). */
  #closing = false;
  /** Requests' STDOUT writes waiting for this socket to drain. */
  #waiters: (() => void)[] = [];
  #grace: NodeJS.Timeout | undefined;
  /** Cut after a response failed mid-stream: input is ignored until the socket closes. */
  #cut = false;
  /** Bytes of params buffered by this connection's requests still in their params phase. */
  paramsBuffered = 0;
  /** Requests whose unread body asked for the socket to stop reading. */
  readonly #holding = new Set<Exchange>();

  constructor(
    readonly socket: Socket,
    shared: Shared,
  ) {
    this.#shared = shared;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#drained());
    socket.on('error', (err) => this.#shared.options.logger.debug('fcgi connection error', { error: err.message }));
    socket.on('close', () => this.#onClose());
    // Go's idle timeout, as on the HTTP listener: an idle kept-alive connection goes after an hour.
    socket.setTimeout(SERVER_TIMEOUTS.keepAliveTimeout, () => {
      if (this.requests.size === 0) socket.destroy();
    });
  }

  get logger(): Logger {
    return this.#shared.options.logger;
  }

  /** Writes records (cork/uncork: one writev). @returns false when the socket wants a drain first. */
  write(pieces: readonly Buffer[]): boolean {
    const s = this.socket;
    if (s.destroyed || !s.writable) return true;
    s.cork();
    let ok = true;
    for (const piece of pieces) ok = s.write(piece);
    s.uncork();
    return ok;
  }

  /** Calls `callback` once the socket drained (at once when it need not). */
  whenDrained(callback: () => void): void {
    if (this.socket.destroyed || !this.socket.writableNeedDrain) callback();
    else this.#waiters.push(callback);
  }

  /**
   * Backpressure for request bodies, as Node's HTTP server pauses a socket whose request is not read:
   * while a request's body buffer is full, the connection stops reading (its multiplexed neighbours
   * wait too, as pipelined HTTP/1 requests would), until the body is read or the request ends.
   */
  holdInput(x: Exchange): void {
    this.#holding.add(x);
    this.socket.pause();
  }

  releaseInput(x: Exchange): void {
    if (this.#holding.delete(x) && this.#holding.size === 0 && !this.#cut) this.socket.resume();
  }

  /** A request ended (answered, aborted or cut): forget it; close the connection if it should. */
  release(x: Exchange): void {
    if (this.requests.get(x.id) !== x) return;
    this.paramsBuffered -= x.paramsSize;
    this.releaseInput(x);
    this.requests.delete(x.id);
    this.#shared.active--;
    if (!x.keepConn) this.#closing = true;
    this.#closeIfDone();
  }

  /** The listener stops: close now when idle, else after the last request. */
  drain(): void {
    this.#closing = true;
    this.#closeIfDone();
  }

  /** Ends a request rr never started (unknown role, overloaded). */
  endUnstarted(id: number, protocolStatus: number, keepConn: boolean): void {
    this.write(encodeRecords(FcgiType.END_REQUEST, id, endRequestBody(0, protocolStatus)));
    if (!keepConn) this.#closing = true;
    this.#closeIfDone();
  }

  /** A complete response rr writes itself (503 while draining, 400 for unusable params). */
  respondDirect(id: number, status: number): void {
    const head = Buffer.from(`Status: ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\n\r\n`, 'latin1');
    this.write([
      ...encodeRecords(FcgiType.STDOUT, id, head),
      ...encodeRecords(FcgiType.STDOUT, id),
      ...encodeRecords(FcgiType.END_REQUEST, id, endRequestBody(0, FcgiStatus.REQUEST_COMPLETE)),
    ]);
  }

  /**
   * Ends the connection without END_REQUEST for what is in flight: what was written still reaches the
   * peer (end, not destroy), nothing more is read or answered.
   */
  cut(): void {
    this.#cut = true;
    this.#closing = true;
    if (this.socket.destroyed || this.socket.writableEnded) return;
    this.socket.end();
    this.#grace = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.#grace.unref();
  }

  #closeIfDone(): void {
    if (!this.#closing || this.requests.size > 0 || this.socket.destroyed) return;
    if (this.socket.writableEnded) return;
    // end(), not destroy(): records still in the send buffer reach the peer, and its unread input
    // does not turn the close into a reset that could lose them.
    this.socket.end();
    this.#grace = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.#grace.unref();
  }

  #onData(chunk: Buffer): void {
    if (this.#cut) return;
    try {
      this.#parser.push(chunk, (record) => this.#onRecord(record));
    } catch (err) {
      this.#fail(err);
    }
  }

  /** Closes the connection on a protocol violation (or a bug): logged with its code, never thrown. */
  #fail(err: unknown): void {
    if (this.socket.destroyed) return;
    this.logger.error('fcgi connection closed on an error', {
      code: isRrError(err) ? err.code : undefined,
      error: messageOf(err),
      peer: this.socket.remoteAddress ?? 'unix socket',
    });
    this.socket.destroy();
  }

  #onRecord({ type, requestId, content }: FcgiRecord): void {
    // A record after a failure in the same read is not looked at.
    if (this.socket.destroyed) return;
    switch (type) {
      case FcgiType.BEGIN_REQUEST:
        this.#begin(requestId, content);
        return;
      case FcgiType.PARAMS:
        this.#request(requestId, 'FCGI_PARAMS')?.params(content);
        return;
      case FcgiType.STDIN:
        this.#request(requestId, 'FCGI_STDIN')?.stdin(content);
        return;
      case FcgiType.ABORT_REQUEST:
        this.#request(requestId, 'FCGI_ABORT_REQUEST')?.abort();
        return;
      case FcgiType.DATA:
        // The filter role's second stream: a responder has no use for it.
        this.#request(requestId, 'FCGI_DATA');
        return;
      case FcgiType.GET_VALUES:
        this.#getValues(content);
        return;
      default:
        this.write(encodeRecords(FcgiType.UNKNOWN_TYPE, 0, unknownTypeBody(type)));
    }
  }

  /** The active request a record belongs to; records of inactive requests are ignored (spec §3.3). */
  #request(id: number, what: string): Exchange | undefined {
    if (id === 0) throw httpErrors.FCGI_PROTOCOL(`${what} with request id 0 (reserved for management records)`);
    return this.requests.get(id);
  }

  #begin(id: number, body: Buffer): void {
    if (id === 0) throw httpErrors.FCGI_PROTOCOL('FCGI_BEGIN_REQUEST with request id 0 (reserved for management records)');
    if (body.length !== 8) throw httpErrors.FCGI_PROTOCOL(`FCGI_BEGIN_REQUEST body of ${body.length} bytes (8 expected)`);
    if (this.requests.has(id)) throw httpErrors.FCGI_PROTOCOL(`FCGI_BEGIN_REQUEST for request ${id}, which is still active`);
    const role = body.readUInt16BE(0);
    const keepConn = ((body[2] as number) & FCGI_KEEP_CONN) !== 0;
    if (role !== FCGI_RESPONDER) {
      this.endUnstarted(id, FcgiStatus.UNKNOWN_ROLE, keepConn);
      return;
    }
    if (this.#shared.draining) {
      // As the HTTP listener's 503 on a kept-alive connection while draining, then the connection goes.
      this.respondDirect(id, 503);
      this.#closing = true;
      this.#closeIfDone();
      return;
    }
    if (this.#shared.active >= FCGI_MAX_REQS) {
      this.endUnstarted(id, FcgiStatus.OVERLOADED, keepConn);
      return;
    }
    this.#shared.active++;
    this.requests.set(id, new Exchange(this, id, keepConn, this.#shared.options));
  }

  #getValues(content: Buffer): void {
    const known: Record<string, string> = {
      FCGI_MAX_CONNS: String(FCGI_MAX_CONNS),
      FCGI_MAX_REQS: String(FCGI_MAX_REQS),
      FCGI_MPXS_CONNS: '1',
    };
    const answer: [string, string][] = [];
    for (const [name] of decodePairs(content)) if (Object.hasOwn(known, name)) answer.push([name, known[name] as string]);
    this.write(encodeRecords(FcgiType.GET_VALUES_RESULT, 0, encodePairs(answer)));
  }

  #drained(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const callback of waiters) callback();
  }

  #onClose(): void {
    this.#shared.connections.delete(this);
    if (this.#grace !== undefined) clearTimeout(this.#grace);
    const requests = [...this.requests.values()];
    for (const x of requests) x.connectionClosed();
    this.#drained();
  }
}

/** Where a request stands. */
type Phase = 'params' | 'running' | 'done';

/** One FastCGI request: its params, its body, and the Node objects the handler works on. */
class Exchange {
  phase: Phase = 'params';
  #params: Buffer[] = [];
  #paramsSize = 0;
  #received = 0;
  /** STDIN went past max_request_size: the rest is dropped and the body never completes. */
  #overflow = false;
  #stdinDone = false;
  #socket: RequestSocket | undefined;
  #req: IncomingMessage | undefined;

  constructor(
    readonly conn: Connection,
    readonly id: number,
    readonly keepConn: boolean,
    readonly options: FcgiServerOptions,
  ) {}

  /** Params bytes buffered (0 once the params stream ended). */
  get paramsSize(): number {
    return this.#paramsSize;
  }

  params(content: Buffer): void {
    if (this.phase !== 'params') throw httpErrors.FCGI_PROTOCOL(`FCGI_PARAMS for request ${this.id} after its params stream ended`);
    if (content.length === 0) {
      const pairs = decodePairs(this.#params.length === 1 ? (this.#params[0] as Buffer) : Buffer.concat(this.#params));
      this.#params = [];
      this.conn.paramsBuffered -= this.#paramsSize;
      this.#paramsSize = 0;
      this.#start(new Map(pairs));
      return;
    }
    this.#paramsSize += content.length;
    this.conn.paramsBuffered += content.length;
    if (this.conn.paramsBuffered > FCGI_MAX_PARAMS) throw httpErrors.FCGI_PARAMS_TOO_LARGE(FCGI_MAX_PARAMS);
    // A copy: a view would keep the whole socket read alive for as long as the params are.
    this.#params.push(Buffer.from(content));
  }

  stdin(content: Buffer): void {
    if (this.phase === 'params') throw httpErrors.FCGI_PROTOCOL(`FCGI_STDIN for request ${this.id} before its params stream ended`);
    const req = this.#req;
    if (this.#stdinDone || req === undefined || this.phase === 'done') return;
    if (content.length === 0) {
      this.#stdinDone = true;
      if (!this.#overflow) {
        req.complete = true;
        req.push(null);
      }
      return;
    }
    if (this.#overflow) return;
    this.#received += content.length;
    // The record that crosses the limit still goes in, so a reader counting bytes sees the overflow
    // (the handler answers 413); nothing after it is kept.
    if (this.#received > this.options.bodyLimit) this.#overflow = true;
    if (!req.push(content)) this.conn.holdInput(this);
  }

  /** FCGI_ABORT_REQUEST: the client went away. The handler sees its connection close. */
  abort(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.conn.write(encodeRecords(FcgiType.END_REQUEST, this.id, endRequestBody(0, FcgiStatus.REQUEST_COMPLETE)));
    this.conn.release(this);
    this.#teardown();
  }

  /** The FastCGI connection is gone: every request on it is, too. */
  connectionClosed(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.conn.release(this);
    this.#teardown();
  }

  /** Response bytes from Node, already translated: out as STDOUT records, with backpressure. */
  stdout(data: Buffer, callback: () => void): void {
    // An empty record would end the stream early: nothing to send is sent as nothing.
    if (this.phase === 'done' || data.length === 0) {
      callback();
      return;
    }
    if (this.conn.write(encodeRecords(FcgiType.STDOUT, this.id, data))) callback();
    else this.conn.whenDrained(callback);
  }

  /** The response finished (every byte went through `stdout`): end the stream and the request. */
  finished(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.conn.write([
      ...encodeRecords(FcgiType.STDOUT, this.id),
      ...encodeRecords(FcgiType.END_REQUEST, this.id, endRequestBody(0, FcgiStatus.REQUEST_COMPLETE)),
    ]);
    this.conn.release(this);
    this.#teardown();
  }

  /**
   * The request's socket was destroyed by someone else than this file: the handler or a middleware
   * cut the response (an error mid-stream). An HTTP client sees its connection cut; the FastCGI
   * equivalent the web server understands as a failure is its connection closing before END_REQUEST.
   * That is done when this is the connection's only request; with others multiplexed on it, they are
   * spared and this one ends with a STDERR note and appStatus 1.
   */
  socketDestroyed(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.conn.release(this);
    this.#teardown();
    if (this.conn.requests.size === 0) {
      this.conn.cut();
      return;
    }
    this.conn.write([
      ...encodeRecords(FcgiType.STDERR, this.id, Buffer.from('rr: the response was aborted\n')),
      ...encodeRecords(FcgiType.STDERR, this.id),
      ...encodeRecords(FcgiType.STDOUT, this.id),
      ...encodeRecords(FcgiType.END_REQUEST, this.id, endRequestBody(1, FcgiStatus.REQUEST_COMPLETE)),
    ]);
  }

  /** Closes the request's socket (the response emits `close`) and an unfinished body. */
  #teardown(): void {
    this.#socket?.destroy();
    const req = this.#req;
    if (req !== undefined && !req.complete && !req.destroyed) req.destroy();
  }

  /** The params are complete: build Node's request and response and run the handler. */
  #start(params: Map<string, string>): void {
    this.phase = 'running';
    const request = cgiRequest(params);
    if (request === undefined) {
      this.phase = 'done';
      this.conn.respondDirect(this.id, 400);
      this.conn.release(this);
      return;
    }
    const socket = new RequestSocket(this, request.peer);
    const req = new IncomingMessage(socket as unknown as Socket);
    req.method = request.method;
    req.url = request.url;
    req.httpVersion = request.version;
    // The objects are HTTP/1 ones whatever the client spoke to the web server: code that looks at the
    // major version to tell Node's HTTP/2 compat objects apart must see 1. `httpVersion` (what PHP gets
    // as `protocol`) stays the client's, e.g. "2.0".
    req.httpVersionMajor = 1;
    req.httpVersionMinor = request.version === '1.0' ? 0 : 1;
    req.rawHeaders = request.rawHeaders;
    req.headers = request.headers;
    const res = new ServerResponse(req);
    // CGI frames the body itself: no chunked encoding, no keep-alive bookkeeping, no Date (as php-fpm;
    // the web server adds its own).
    res.useChunkedEncodingByDefault = false;
    res.shouldKeepAlive = false;
    res.sendDate = false;
    res.assignSocket(socket as unknown as Socket);
    socket.attach(res);
    res.once('finish', () => this.finished());
    // Reading resumes when the body's reader wants more (Readable calls _read), as a paused socket
    // resumes under Node's HTTP server.
    const read = req._read.bind(req);
    req._read = (size: number): void => {
      this.conn.releaseInput(this);
      read(size);
    };
    this.#socket = socket;
    this.#req = req;
    const handle = request.tls ? this.options.handleTls : this.options.handle;
    handle(req, res);
  }
}

/** What the handler needs of a request, read from CGI params. */
interface CgiRequest {
  method: string;
  url: string;
  version: string;
  tls: boolean;
  rawHeaders: string[];
  headers: Record<string, string>;
  peer: Peer;
}

/** The client as the web server saw it (REMOTE_ADDR/REMOTE_PORT), and the address it reached. */
interface Peer {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  encrypted: boolean;
}

/**
 * Maps CGI params (RFC 3875) to a request, as Go's net/http/cgi RequestFromMap does for RoadRunner:
 * REQUEST_METHOD (default GET), REQUEST_URI (or SCRIPT_NAME + PATH_INFO, plus ?QUERY_STRING when the
 * URI has no query), SERVER_PROTOCOL (default HTTP/1.1), HTTP_FOO_BAR → `Foo-Bar`, CONTENT_TYPE and
 * CONTENT_LENGTH → headers, HTTP_HOST (or SERVER_NAME[:SERVER_PORT]) → Host, HTTPS=on (or
 * REQUEST_SCHEME=https) → https, REMOTE_ADDR/REMOTE_PORT → the client address.
 *
 * @returns undefined when the method is not an HTTP token (answered 400).
 */
function cgiRequest(params: Map<string, string>): CgiRequest | undefined {
  const p = (name: string): string => params.get(name) ?? '';
  const method = p('REQUEST_METHOD') || 'GET';
  if (!TOKEN.test(method)) return undefined;
  const https = p('HTTPS').toLowerCase();
  const tls = https === 'on' || https === '1' || p('REQUEST_SCHEME').toLowerCase() === 'https';
  let url = p('REQUEST_URI') || p('SCRIPT_NAME') + p('PATH_INFO');
  const query = p('QUERY_STRING');
  if (query !== '' && !url.includes('?')) url += `?${query}`;
  if (url === '' || url.startsWith('?')) url = `/${url}`;
  const version = /^HTTP\/(\d\.\d)$/.exec(p('SERVER_PROTOCOL'))?.[1] ?? '1.1';

  const rawHeaders: string[] = [];
  const headers: Record<string, string> = {};
  const add = (name: string, value: string): void => {
    rawHeaders.push(name, value);
    const lower = name.toLowerCase();
    // Duplicates only come from a PARAMS stream naming a variable twice; the later one wins for
    // `headers` (a Map of the params would keep only it too), rawHeaders keeps both as received.
    if (lower !== '__proto__') headers[lower] = value;
  };
  let host = p('HTTP_HOST');
  if (host === '' && p('SERVER_NAME') !== '') {
    const port = p('SERVER_PORT');
    host = port === '' || port === (tls ? '443' : '80') ? p('SERVER_NAME') : `${p('SERVER_NAME')}:${port}`;
  }
  if (host !== '') add('Host', host);
  // nginx sends both CONTENT_TYPE and HTTP_CONTENT_TYPE: one header, the CGI variable preferred (it is
  // what the web server framed the body with: CONTENT_LENGTH of a body it de-chunked).
  const type = p('CONTENT_TYPE') || p('HTTP_CONTENT_TYPE');
  if (type !== '') add('Content-Type', type);
  const length = p('CONTENT_LENGTH') || p('HTTP_CONTENT_LENGTH');
  if (/^\d+$/.test(length)) add('Content-Length', length);
  for (const [name, value] of params) {
    if (!name.startsWith('HTTP_') || name === 'HTTP_HOST' || name === 'HTTP_CONTENT_TYPE' || name === 'HTTP_CONTENT_LENGTH') continue;
    const header = name.slice(5).replaceAll('_', '-');
    if (!TOKEN.test(header)) continue;
    add(canonicalHeaderName(header), value);
  }
  const remotePort = Number(p('REMOTE_PORT'));
  const localPort = Number(p('SERVER_PORT'));
  return {
    method,
    url,
    version,
    tls,
    rawHeaders,
    headers,
    peer: {
      remoteAddress: p('REMOTE_ADDR'),
      remotePort: Number.isInteger(remotePort) ? remotePort : 0,
      localAddress: p('SERVER_ADDR'),
      localPort: Number.isInteger(localPort) ? localPort : 0,
      encrypted: tls,
    },
  };
}

/**
 * The socket of one FastCGI request as Node's request and response see it: what the response writes
 * is translated to CGI and sent as STDOUT records of the request's id; destroying it ends the
 * request. Reads nothing (the body is pushed into the IncomingMessage directly).
 */
class RequestSocket extends Duplex {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly remoteFamily: string;
  readonly localAddress: string;
  readonly localPort: number;
  /** As a TLSSocket's, for code that reads the scheme from the socket (the otel middleware). */
  readonly encrypted: boolean | undefined;
  readonly #x: Exchange;
  readonly #translator = new CgiTranslator();
  #res: ServerResponse | undefined;
  #needDrain: symbol | undefined;

  constructor(x: Exchange, peer: Peer) {
    // `readable: false` (a Duplex option @types/node does not list): nothing is ever read from it.
    super({ readable: false, allowHalfOpen: true } as DuplexOptions);
    this.#x = x;
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.remoteFamily = peer.remoteAddress.includes(':') ? 'IPv6' : 'IPv4';
    this.localAddress = peer.localAddress;
    this.localPort = peer.localPort;
    this.encrypted = peer.encrypted ? true : undefined;
    // Node's server owns its sockets' errors; here `res.destroy(err)` lands on this socket, and an
    // 'error' nobody listens to would end rr.
    this.on('error', ignore);
    this.on('drain', () => this.#resDrain());
  }

  /** The response writing to this socket (for its `drain`). */
  attach(res: ServerResponse): void {
    this.#res = res;
    // node:http marks a response that must wait with its kNeedDrain symbol and clears it before
    // re-emitting `drain` (its server's `ondrain`); found by description, as there is no public handle.
    this.#needDrain = Object.getOwnPropertySymbols(res).find((s) => s.description === 'kNeedDrain');
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#x.stdout(this.#translator.feed(chunk), () => callback());
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    const out: Buffer[] = [];
    for (const { chunk } of chunks) {
      const piece = this.#translator.feed(chunk);
      if (piece.length > 0) out.push(piece);
    }
    this.#x.stdout(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out), () => callback());
  }

  override _destroy(_error: Error | null, callback: (error?: Error | null) => void): void {
    this.#x.socketDestroyed();
    callback(null);
  }

  #resDrain(): void {
    const res = this.#res as (ServerResponse & Record<symbol, unknown>) | undefined;
    if (res === undefined || res.writableFinished || !res.writableNeedDrain) return;
    if (this.#needDrain !== undefined) res[this.#needDrain] = false;
    res.emit('drain');
  }

  // What code written for net.Socket may call on a request's socket; nothing to do here.
  setTimeout(_ms: number, _callback?: () => void): this {
    return this;
  }
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }
  setKeepAlive(_enable?: boolean, _delay?: number): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; port: number; family: string } {
    return { address: this.localAddress, port: this.localPort, family: this.localAddress.includes(':') ? 'IPv6' : 'IPv4' };
  }
}

/** Response headers that describe rr's connection to the web server, not the response. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Node's HTTP/1.x response bytes → CGI response bytes: the status line becomes `Status:`, connection
 * headers go, 1xx heads are dropped, chunked framing is removed; the body passes through untouched.
 */
class CgiTranslator {
  #head: Buffer | undefined;
  #body: 'head' | 'raw' | 'chunked' = 'head';
  #chunked: ChunkedDecoder | undefined;

  feed(chunk: Buffer): Buffer {
    let rest = chunk;
    const out: Buffer[] = [];
    while (rest.length > 0) {
      if (this.#body === 'raw') {
        out.push(rest);
        break;
      }
      if (this.#body === 'chunked') {
        out.push(...(this.#chunked as ChunkedDecoder).feed(rest));
        break;
      }
      const searchFrom = this.#head === undefined ? 0 : Math.max(0, this.#head.length - 3);
      const head = this.#head === undefined ? rest : Buffer.concat([this.#head, rest]);
      const end = head.indexOf(HEAD_END, searchFrom);
      if (end < 0) {
        this.#head = head;
        break;
      }
      this.#head = undefined;
      rest = head.subarray(end + 4);
      const cgi = this.#cgiHead(head.toString('latin1', 0, end));
      if (cgi !== undefined) out.push(cgi);
    }
    return out.length === 1 ? (out[0] as Buffer) : out.length === 0 ? EMPTY : Buffer.concat(out);
  }

  /** @returns the CGI head, or undefined for an interim (1xx) head, which CGI cannot carry. */
  #cgiHead(head: string): Buffer | undefined {
    const lines = head.split('\r\n');
    const status = /^HTTP\/\d\.\d (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    const code = status?.[1] ?? '200';
    if (code.startsWith('1')) return undefined;
    let text = `Status: ${code} ${status?.[2] ?? STATUS_CODES[Number(code)] ?? ''}\r\n`;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(':');
      const name = (colon < 0 ? line : line.slice(0, colon)).trim().toLowerCase();
      if (CONNECTION_HEADERS.has(name)) {
        if (name === 'transfer-encoding' && /(?:^|\W)chunked(?:$|\W)/i.test(line.slice(colon + 1))) chunked = true;
        continue;
      }
      text += `${line}\r\n`;
    }
    this.#body = chunked ? 'chunked' : 'raw';
    if (chunked) this.#chunked = new ChunkedDecoder();
    return Buffer.from(`${text}\r\n`, 'latin1');
  }
}

/** Removes HTTP/1.1 chunked framing (as Node writes it) from a body; trailers are dropped. */
class ChunkedDecoder {
  #state: 'size' | 'data' | 'crlf' | 'trailer' | 'done' = 'size';
  #line = '';
  #remaining = 0;

  feed(buf: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let i = 0;
    while (i < buf.length && this.#state !== 'done') {
      if (this.#state === 'data') {
        const take = Math.min(this.#remaining, buf.length - i);
        out.push(buf.subarray(i, i + take));
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'crlf';
        continue;
      }
      const nl = buf.indexOf(0x0a, i);
      if (nl < 0) {
        if (this.#state !== 'crlf') this.#line += buf.toString('latin1', i);
        break;
      }
      const line = (this.#line + buf.toString('latin1', i, nl)).replace(/\r$/, '');
      this.#line = '';
      i = nl + 1;
      if (this.#state === 'crlf') this.#state = 'size';
      else if (this.#state === 'trailer') {
        if (line === '') this.#state = 'done';
      } else {
        const size = Number.parseInt(line.split(';')[0] as string, 16);
        if (!(size > 0)) this.#state = 'trailer';
        else {
          this.#remaining = size;
          this.#state = 'data';
        }
      }
    }
    return out;
  }
}

function ignore(): void {}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
