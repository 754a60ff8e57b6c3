import { connect, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { goridgeErrors } from '../errors.js';
import { parseDsn } from './dsn.js';
import { StreamRelay, type RelayOptions } from './stream-relay.js';

/** How long an ended socket may take to flush before it is destroyed. */
const FLUSH_TIMEOUT_MS = 5000;

/** A relay over a connected TCP or unix socket (Nagle disabled: frames are latency-bound). */
export class SocketRelay extends StreamRelay {
  /** The underlying socket. */
  readonly socket: Socket;

  /** @throws RR_ERR_GORIDGE_INVALID_OPTION bad options. */
  constructor(socket: Socket, options?: RelayOptions) {
    super(socket, socket, options);
    this.socket = socket;
    socket.setNoDelay(true);
  }

  /** Flushes what was sent, then destroys the socket (a stuck peer gets {@link FLUSH_TIMEOUT_MS}). */
  protected override closeStreams(_input: Readable, _output: Writable): void {
    const socket = this.socket;
    const timer = setTimeout(() => socket.destroy(), FLUSH_TIMEOUT_MS).unref();
    socket.end(() => {
      clearTimeout(timer);
      socket.destroy();
    });
  }
}

/** Options of {@link connectRelay}. */
export interface ConnectOptions extends RelayOptions {
  /** Give up connecting after this long. @default 10000 */
  timeoutMs?: number;
}

/**
 * Connects to `tcp://host:port` or `unix:///path` (the client side: a worker, an RPC client).
 *
 * @throws RR_ERR_GORIDGE_BAD_DSN the address cannot be parsed.
 * @throws RR_ERR_GORIDGE_CONNECT_FAILED (rejection) refused, unreachable or timed out.
 */
export async function connectRelay(dsn: string, options: ConnectOptions = {}): Promise<SocketRelay> {
  const target = parseDsn(dsn);
  const socket = target.kind === 'tcp' ? connect({ host: target.host || 'localhost', port: target.port }) : connect({ path: target.path });
  const timeoutMs = options.timeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(goridgeErrors.CONNECT_FAILED(dsn, `timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve();
    });
    const onError = (err: Error): void => {
      clearTimeout(timer);
      reject(goridgeErrors.CONNECT_FAILED(dsn, err.message, { cause: err }));
    };
    socket.once('error', onError);
  });
  return new SocketRelay(socket, options);
}
