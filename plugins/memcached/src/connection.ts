import { connect, type Socket } from 'node:net';
import type { Logger } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import { memcachedErrors } from './errors.js';

/** One reply of the meta protocol: its first line, and the value block of a `VA` reply. */
export interface Reply {
  readonly head: string;
  readonly data?: Buffer;
}

interface Batch {
  readonly count: number;
  readonly replies: Reply[];
  resolve(replies: Reply[]): void;
  reject(err: RrError): void;
}

const CRLF = Buffer.from('\r\n');

/** Where a server listens, from one `addr` entry. */
export function parseAddress(address: string): { path: string } | { host: string; port: number } {
  if (address.startsWith('/')) return { path: address };
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(colon + 1)) };
}

/**
 * One pipelined connection to one memcached server. Commands of a batch go out in one write and their
 * replies come back in order, one per command; concurrent batches queue behind each other on the same
 * socket. The connection is made on demand, so after an outage the next call simply connects again.
 *
 * Every call is bounded: connecting may take `timeoutMs`, and while replies are awaited the server may stay
 * silent for at most `timeoutMs` before the socket is dropped and every waiting call fails with
 * RR_ERR_MEMCACHED_UNAVAILABLE. Silence, not the whole batch, is timed, so a large batch or value on a slow
 * link is not cut short while bytes keep arriving.
 */
export class ServerConnection {
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private queue: Batch[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private lastProgress = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the reader needs before parsing again (a value block still arriving). */
  private wanted = 0;
  private down = false;
  private closed = false;

  constructor(
    readonly address: string,
    private readonly storage: string,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Sends the chunks of `count` commands and resolves with their `count` replies, in order.
   *
   * @throws RR_ERR_MEMCACHED_UNAVAILABLE, RR_ERR_MEMCACHED_PROTOCOL, RR_ERR_MEMCACHED_CLOSED
   */
  exec(chunks: readonly Uint8Array[], count: number): Promise<Reply[]> {
    if (count === 0) return Promise.resolve([]);
    const done = this.send(chunks, count);
    this.inflight.add(done);
    const forget = () => this.inflight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Waits for the calls under way (or for `signal`), then closes the socket; later calls fail with CLOSED. */
  async close(signal: AbortSignal): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inflight.size > 0 && !signal.aborted) {
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<void>((resolve) => {
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      });
      await Promise.race([Promise.allSettled([...this.inflight]), aborted]);
      signal.removeEventListener('abort', onAbort);
    }
    const socket = this.socket;
    if (socket !== undefined) {
      this.drop(socket, memcachedErrors.CLOSED(this.storage), false);
      // Unsent bytes would hold a graceful end open (a server that stopped reading): those are cut.
      if (signal.aborted) socket.destroy();
      else socket.end(() => socket.destroy());
    }
  }

  private async send(chunks: readonly Uint8Array[], count: number): Promise<Reply[]> {
    if (this.closed) throw memcachedErrors.CLOSED(this.storage);
    const socket = this.socket ?? (await this.connect());
    if (this.socket !== socket) throw this.unavailable('the connection was lost');
    return new Promise<Reply[]>((resolve, reject) => {
      if (this.queue.length === 0) this.lastProgress = performance.now();
      this.queue.push({ count, replies: [], resolve, reject });
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
      this.armStall();
    });
  }

  private connect(): Promise<Socket> {
    if (this.connecting !== undefined) return this.connecting;
    const attempt = new Promise<Socket>((resolve, reject) => {
      const socket = connect(parseAddress(this.address));
      socket.setNoDelay(true);
      const fail = (err: RrError) => {
        clearTimeout(timer);
        socket.destroy();
        this.markDown(err);
        reject(err);
      };
      // A timer due while the event loop was busy fires before pending I/O is read; check again after it.
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (socket.connecting) fail(this.unavailable(`could not connect within ${this.timeoutMs} ms`));
          }),
        this.timeoutMs,
      );
      socket.once('error', (err) => fail(this.unavailable(describe(err))));
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        if (this.closed) {
          socket.destroy();
          reject(memcachedErrors.CLOSED(this.storage));
          return;
        }
        this.attach(socket);
        resolve(socket);
      });
    });
    this.connecting = attempt;
    const settle = () => {
      this.connecting = undefined;
    };
    attempt.then(settle, settle);
    return attempt;
  }

  private attach(socket: Socket): void {
    this.socket = socket;
    this.chunks = [];
    this.buffered = 0;
    this.wanted = 0;
    if (this.down) {
      this.down = false;
      this.logger.info('memcached connection restored', { address: this.address });
    }
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err) => this.drop(socket, this.unavailable(describe(err))));
    socket.on('close', () => this.drop(socket, this.unavailable('the server closed the connection')));
  }

  /** Detaches `socket` (if it is still the current one) and rejects every waiting call with `err`. */
  private drop(socket: Socket, err: RrError, destroy = true): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (destroy) socket.destroy();
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    const queue = this.queue;
    this.queue = [];
    if (queue.length === 0) {
      this.logger.debug('memcached connection closed', { address: this.address, reason: err.message });
      return;
    }
    if (isRrError(err, memcachedErrors.UNAVAILABLE.code)) this.markDown(err);
    for (const batch of queue) batch.reject(err);
  }

  private markDown(err: RrError): void {
    if (this.down || this.closed) return;
    this.down = true;
    this.logger.warn('memcached is unavailable', { address: this.address, error: err.message });
  }

  private unavailable(cause: string): RrError {
    return memcachedErrors.UNAVAILABLE(this.address, this.storage, cause, { details: { address: this.address } });
  }

  private armStall(): void {
    if (this.stallTimer !== undefined || this.queue.length === 0) return;
    const wait = Math.max(0, this.lastProgress + this.timeoutMs - performance.now());
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      // After a busy event loop, timers run before pending socket reads: let those land first.
      setImmediate(() => this.checkStall());
    }, wait);
  }

  private checkStall(): void {
    const socket = this.socket;
    if (socket === undefined || this.queue.length === 0) return;
    if (performance.now() - this.lastProgress >= this.timeoutMs) this.drop(socket, this.unavailable(`no answer within ${this.timeoutMs} ms`));
    else this.armStall();
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    this.lastProgress = performance.now();
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered < this.wanted) return;
    const buf = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    this.wanted = 0;
    let pos = 0;
    while (pos < buf.length && this.socket === socket) {
      const eol = buf.indexOf(CRLF, pos);
      if (eol < 0) break;
      const head = buf.toString('latin1', pos, eol);
      if (head.startsWith('VA ')) {
        const size = Number.parseInt(head.slice(3), 10);
        const end = eol + 2 + size + 2;
        if (!Number.isSafeInteger(size) || size < 0) return this.protocolError(socket, head);
        if (end > buf.length) {
          this.wanted = end - pos;
          break;
        }
        if (buf[end - 2] !== 0x0d || buf[end - 1] !== 0x0a) return this.protocolError(socket, head);
        // A copy, so a small value does not pin the whole read buffer.
        this.onReply(socket, { head, data: Buffer.from(buf.subarray(eol + 2, eol + 2 + size)) });
        pos = end;
      } else {
        this.onReply(socket, { head });
        pos = eol + 2;
      }
    }
    if (pos < buf.length && this.socket === socket) {
      this.chunks = [buf.subarray(pos)];
      this.buffered = buf.length - pos;
    }
  }

  private onReply(socket: Socket, reply: Reply): void {
    const batch = this.queue[0];
    // `ERROR` and `CLIENT_ERROR` mean memcached did not parse a command as sent, so the replies that follow
    // may not line up with the commands any more: nothing more is read from this socket.
    if (batch === undefined || reply.head === 'ERROR' || reply.head.startsWith('CLIENT_ERROR')) return this.protocolError(socket, reply.head);
    batch.replies.push(reply);
    if (batch.replies.length < batch.count) return;
    this.queue.shift();
    batch.resolve(batch.replies);
  }

  private protocolError(socket: Socket, head: string): void {
    const batch = this.queue.shift();
    this.logger.error('memcached protocol error', { address: this.address, reply: head });
    batch?.reject(memcachedErrors.PROTOCOL(this.address, head, { details: { address: this.address } }));
    this.drop(socket, this.unavailable(`the connection was reset after the protocol error ${JSON.stringify(head)}`));
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== undefined && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
