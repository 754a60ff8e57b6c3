import type { Logger } from '@rr/contracts';
import type { RrError } from '@rr/errors';
import { connect, errors, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { natsErrors } from './errors.js';

/** Reconnect delays: 100 ms doubling to 2 s, ±20 % so a fleet of rr instances does not reconnect in step. */
const backoff = (attempt: number): number => Math.min(2000, 100 * 2 ** Math.min(attempt, 5)) * (0.8 + Math.random() * 0.4);

export const describeError = (err: unknown): string => (err instanceof Error ? err.message || err.name : String(err));

/** Failures that mean "the server is not reachable now", as opposed to a server that answered no. */
export function isConnectivityError(err: unknown): boolean {
  return (
    err instanceof errors.TimeoutError ||
    err instanceof errors.ClosedConnectionError ||
    err instanceof errors.ConnectionError ||
    err instanceof errors.DrainingConnectionError ||
    (err instanceof errors.RequestError && !err.isNoResponders())
  );
}

/** JetStream's "not found" answer (stream 10059, consumer 10014, message 10037). */
export const isNotFound = (err: unknown): boolean => err instanceof JetStreamApiError && [10059, 10014, 10037].includes(err.code);

/**
 * One pipeline's NATS connection. The client reconnects by itself forever; this tracks whether it is
 * connected now so pushes can fail at once during an outage instead of waiting in the client's buffer.
 */
export class Connection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly addr: string;
  readonly #pipeline: string;
  readonly #timeoutMs: number;
  readonly #dropped = new Set<(err: RrError) => void>();
  #connected = true;

  private constructor(nc: NatsConnection, jsm: JetStreamManager, addr: string, pipeline: string, timeoutMs: number, logger: Logger, attempts: { n: number }) {
    this.nc = nc;
    this.jsm = jsm;
    this.js = jetstream(nc, { timeout: timeoutMs });
    this.addr = addr;
    this.#pipeline = pipeline;
    this.#timeoutMs = timeoutMs;
    void this.#watch(logger, attempts);
  }

  /** Connects and checks that the account has JetStream; rejects with RR_ERR_NATS_UNAVAILABLE. */
  static async open(addr: string, pipeline: string, timeoutMs: number, logger: Logger): Promise<Connection> {
    const attempts = { n: 0 };
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: addr.split(',').map((s) => s.trim()).filter((s) => s !== ''),
        name: `rr jobs ${pipeline}`,
        noEcho: true,
        timeout: timeoutMs,
        maxReconnectAttempts: -1,
        reconnectDelayHandler: () => backoff(attempts.n++),
        pingInterval: 10_000,
      });
    } catch (err) {
      throw natsErrors.UNAVAILABLE(addr, pipeline, describeError(err), { cause: err });
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      return new Connection(nc, jsm, addr, pipeline, timeoutMs, logger, attempts);
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw natsErrors.UNAVAILABLE(addr, pipeline, `JetStream: ${describeError(err)}`, { cause: err });
    }
  }

  get connected(): boolean {
    return this.#connected && !this.nc.isClosed();
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  unavailable(cause: unknown): RrError {
    return natsErrors.UNAVAILABLE(this.addr, this.#pipeline, typeof cause === 'string' ? cause : describeError(cause), cause instanceof Error ? { cause } : {});
  }

  /**
   * Runs a request that must not outlive the connection: it rejects as soon as the connection drops (the
   * client would otherwise hold it in its reconnect buffer until the timeout), and at once when already down.
   */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    if (!this.connected) throw this.unavailable('not connected (reconnecting)');
    let onDrop: (err: RrError) => void = () => undefined;
    const dropped = new Promise<never>((_, reject) => {
      onDrop = reject;
      this.#dropped.add(onDrop);
    });
    const running = work();
    // The loser of the race must not surface as an unhandled rejection.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, dropped]);
    } catch (err) {
      throw isConnectivityError(err) ? this.unavailable(err) : err;
    } finally {
      this.#dropped.delete(onDrop);
    }
  }

  async close(signal?: AbortSignal): Promise<void> {
    if (this.nc.isClosed()) return;
    // Settles written just before must reach the server; a dead connection cannot flush, so bound it.
    if (this.connected) await withAbort(this.nc.flush(), this.#timeoutMs, signal).catch(() => undefined);
    await withAbort(this.nc.close(), this.#timeoutMs, signal).catch(() => undefined);
  }

  async #watch(logger: Logger, attempts: { n: number }): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') {
        this.#connected = false;
        logger.warn('nats connection lost, reconnecting', { addr: this.addr });
        const err = this.unavailable('connection lost');
        for (const drop of [...this.#dropped]) drop(err);
      } else if (status.type === 'reconnect') {
        this.#connected = true;
        attempts.n = 0;
        logger.info('nats connection restored', { addr: this.addr });
      }
    }
  }
}

/** Resolves or rejects with `work`, but gives up after `ms` or when `signal` aborts. */
export function withAbort<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new errors.TimeoutError()), ms);
    const abort = () => reject(signal?.reason ?? new Error('aborted'));
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
    });
  });
}
