import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { RrError } from '@rr/errors';
import { goridgeErrors } from '../errors.js';
import { handshake } from './handshake.js';
import { listenOn, stopListening, type Listening } from './listen.js';
import { SocketRelay } from './socket-relay.js';
import { validateRelayOptions, type RelayOptions } from './stream-relay.js';

/** Options of {@link RelayListener.listen}. */
export interface RelayListenerOptions extends RelayOptions {
  /** The PID sent in the handshake. @default process.pid */
  pid?: number;
  /** Bound on each connection's handshake (RoadRunner uses pool.allocate_timeout). @default 60000 */
  handshakeTimeoutMs?: number;
}

/** Events of a {@link RelayListener}. */
export interface RelayListenerEvents {
  /** A worker connected and completed the handshake. */
  relay: [pid: number, relay: SocketRelay];
  /** A connection failed its handshake and was closed. Only emitted when someone listens. */
  error: [error: RrError];
}

interface Waiter {
  resolve: (relay: SocketRelay) => void;
  reject: (err: RrError) => void;
  timer: NodeJS.Timeout;
}

/**
 * The server side of socket relays (PROTOCOL §2.6): listens on a tcp/unix DSN, runs the PID handshake on
 * every accepted connection and keeps the relay under the PID the worker reported, so the pool can claim
 * the worker it spawned with {@link waitForPid}.
 */
export class RelayListener extends EventEmitter<RelayListenerEvents> {
  #listening!: Listening;
  readonly #options: RelayOptions;
  readonly #pid: number;
  readonly #handshakeTimeoutMs: number;
  /** Handshaken relays nobody claimed yet. */
  readonly #ready = new Map<number, SocketRelay>();
  /** Relays still in their handshake. */
  readonly #handshaking = new Set<SocketRelay>();
  readonly #waiters = new Map<number, Waiter[]>();
  #closed = false;
  #lastError: RrError | undefined;

  private constructor(options: RelayListenerOptions) {
    super();
    this.#options = { maxPayload: options.maxPayload, strayGraceMs: options.strayGraceMs };
    this.#pid = options.pid ?? process.pid;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 60_000;
  }

  /**
   * Starts listening.
   *
   * @throws RR_ERR_GORIDGE_BAD_DSN, RR_ERR_GORIDGE_LISTEN_FAILED, RR_ERR_GORIDGE_INVALID_OPTION.
   */
  static async listen(dsn: string, options: RelayListenerOptions = {}): Promise<RelayListener> {
    validateRelayOptions(options);
    const listener = new RelayListener(options);
    listener.#listening = await listenOn(dsn, listener.#report);
    listener.#listening.server.on('connection', (socket) => listener.#accept(socket));
    return listener;
  }

  /** The address actually listened on (`tcp://127.0.0.1:54321` for port 0), ready to pass as RR_RELAY. */
  get address(): string {
    return this.#listening.address;
  }

  /**
   * Resolves with the relay of the worker that reported `pid`, whether it connected before or after the call.
   *
   * @throws RR_ERR_GORIDGE_WAIT_PID_TIMEOUT (rejection) it did not connect and handshake within `timeoutMs`;
   * the last handshake failure seen meanwhile, if any, is the `cause`.
   * @throws RR_ERR_GORIDGE_LISTENER_CLOSED (rejection) the listener is or gets closed.
   */
  waitForPid(pid: number, timeoutMs: number): Promise<SocketRelay> {
    if (this.#closed) return Promise.reject(goridgeErrors.LISTENER_CLOSED(this.address));
    const ready = this.#ready.get(pid);
    if (ready !== undefined) {
      this.#ready.delete(pid);
      return Promise.resolve(ready);
    }
    const errorBefore = this.#lastError;
    return new Promise<SocketRelay>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#removeWaiter(pid, waiter);
          const cause = this.#lastError === errorBefore ? undefined : this.#lastError;
          reject(goridgeErrors.WAIT_PID_TIMEOUT(pid, timeoutMs, this.address, { cause, details: { pid, timeoutMs } }));
        }, timeoutMs),
      };
      const list = this.#waiters.get(pid);
      if (list === undefined) this.#waiters.set(pid, [waiter]);
      else list.push(waiter);
    });
  }

  /**
   * Stops listening, closes connections still in their handshake or never claimed, and rejects pending
   * {@link waitForPid} calls. Claimed relays belong to the caller and stay open.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const relay of [...this.#handshaking, ...this.#ready.values()]) void relay.close();
    this.#handshaking.clear();
    this.#ready.clear();
    for (const [pid, list] of this.#waiters) {
      for (const waiter of list) {
        clearTimeout(waiter.timer);
        waiter.reject(goridgeErrors.LISTENER_CLOSED(this.address, { details: { pid } }));
      }
    }
    this.#waiters.clear();
    stopListening(this.#listening);
  }

  #accept(socket: Socket): void {
    const relay = new SocketRelay(socket, this.#options);
    this.#handshaking.add(relay);
    handshake(relay, this.#pid, this.#handshakeTimeoutMs).then(
      (pid) => {
        this.#handshaking.delete(relay);
        if (!this.#closed) this.#deliver(pid, relay);
      },
      (err: RrError) => {
        this.#handshaking.delete(relay);
        void relay.close();
        if (!this.#closed) this.#report(err);
      },
    );
  }

  /** Remembers a failure (the cause of a later WAIT_PID_TIMEOUT) and emits it if anyone listens. */
  readonly #report = (err: RrError): void => {
    this.#lastError = err;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  };

  #deliver(pid: number, relay: SocketRelay): void {
    this.emit('relay', pid, relay);
    const waiter = this.#waiters.get(pid)?.[0];
    if (waiter !== undefined) {
      clearTimeout(waiter.timer);
      this.#removeWaiter(pid, waiter);
      waiter.resolve(relay);
      return;
    }
    // A second connection reporting the same PID replaces the first, as in RoadRunner's map.
    void this.#ready.get(pid)?.close();
    this.#ready.set(pid, relay);
    relay.once('close', () => {
      if (this.#ready.get(pid) === relay) this.#ready.delete(pid);
    });
  }

  #removeWaiter(pid: number, waiter: Waiter): void {
    const list = this.#waiters.get(pid) as Waiter[];
    list.splice(list.indexOf(waiter), 1);
    if (list.length === 0) this.#waiters.delete(pid);
  }
}
