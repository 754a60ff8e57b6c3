import type { Logger } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import type { RedisClient } from './client.js';
import { redisErrors } from './errors.js';

/** What went wrong on the way to Redis, from an ioredis error. */
type Failure = 'auth' | 'db' | 'reply' | 'unavailable';

// Replies that mean "this server cannot take commands right now", not "this command is wrong".
const TRANSIENT_REPLY = /^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY)\b/;
const AUTH_REPLY = /^(WRONGPASS|NOAUTH)\b|invalid (username-)?password|^ERR AUTH\b/i;
const DB_REPLY = /DB index is out of range|invalid DB index|SELECT is not allowed in cluster mode/i;

function isReplyError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ReplyError';
}

export function classify(err: unknown): Failure {
  if (!isReplyError(err)) return 'unavailable';
  if (AUTH_REPLY.test(err.message)) return 'auth';
  if (DB_REPLY.test(err.message)) return 'db';
  return TRANSIENT_REPLY.test(err.message) ? 'unavailable' : 'reply';
}

function message(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // A cluster that reached no node says only "Failed to refresh slots cache."; the node's reason follows.
  const last = (err as { lastNodeError?: unknown }).lastNodeError;
  return last instanceof Error ? `${err.message.replace(/\.$/, '')}: ${last.message}` : err.message;
}

/** What a connection serves, as messages and error details name it. */
export interface Subject {
  kind: 'kv storage' | 'jobs pipeline';
  name: string;
}

const describeSubject = (subject: Subject): string => `${subject.kind} ${JSON.stringify(subject.name)}`;

/**
 * Watches one ioredis client: whether it can take commands now, the last connection error, and the log
 * lines of an outage (one warn when the connection is lost, one info when it is back; never a line per
 * reconnection attempt). Turns every failure into a coded RrError.
 */
export class Connection {
  private lastError: unknown;
  /** Ready since the last loss: a loss is logged once. */
  private up = false;
  /** A loss (or a failed first connect) was logged and its recovery is not yet. */
  private warned = false;
  private closed = false;

  constructor(
    readonly client: RedisClient,
    readonly address: string,
    private readonly subject: Subject,
    private readonly db: number,
    private readonly log: Logger,
    /** Logs nothing itself: a second connection of one subject whose first one already reports outages. */
    private readonly quiet = false,
  ) {
    client.on('error', (err: unknown) => {
      this.lastError = err;
    });
    // A cluster reports each node's failures here and only a summary ("Failed to refresh slots cache") above.
    client.on('node error', (err: unknown) => {
      this.lastError = err;
    });
    client.on('ready', () => {
      this.lastError = undefined;
      this.up = true;
      if (!this.warned) return;
      this.warned = false;
      if (this.quiet) return;
      this.log.info('redis connection restored', { address: this.address });
    });
    // Only a connection that was ready can be lost: a refused first attempt is reported by firstConnect.
    const lost = () => {
      if (this.closed || !this.up) return;
      this.up = false;
      this.warned = true;
      if (this.quiet) return;
      this.log.warn('redis connection lost, reconnecting in the background', { address: this.address, error: this.cause() });
    };
    client.on('close', lost);
    client.on('reconnecting', lost);
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Waits for the first outcome of connecting: ready, a refusal of the credentials or db (a config
   * mistake, thrown), or anything else (Redis is down: logged, and the storage or pipeline opens anyway; calls fail
   * with RR_ERR_REDIS_UNAVAILABLE until Redis answers).
   *
   * @throws RR_ERR_REDIS_AUTH_FAILED, RR_ERR_REDIS_DB_REJECTED
   */
  async firstConnect(timeoutMs: number): Promise<void> {
    if (this.ready) return;
    // The error that ended the attempt, kept apart from lastError: a later 'ready' clears that one.
    const outcome = await new Promise<{ ready: boolean; error?: unknown }>((resolve) => {
      const client = this.client;
      const settle = (ready: boolean, error: unknown = this.lastError) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        client.off('node error', onNodeError);
        client.off('close', onDown);
        client.off('end', onDown);
        resolve({ ready, error });
      };
      const onReady = () => settle(true);
      const onError = (err: unknown) => settle(false, err);
      // A cluster reports each node's failure before its summary; another seed node may still answer.
      const onNodeError = (err: unknown) => {
        if (classify(err) !== 'unavailable') settle(false, err);
      };
      const onDown = () => settle(false);
      const timer = setTimeout(() => settle(false), timeoutMs);
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('node error', onNodeError);
      client.on('close', onDown);
      client.on('end', onDown);
    });
    if (outcome.ready) return;
    const failure = classify(outcome.error);
    if (failure === 'auth' || failure === 'db') throw this.wrap(outcome.error, 'connect');
    this.warned = true;
    const noun = this.subject.kind === 'kv storage' ? 'storage' : 'pipeline';
    if (!this.quiet) this.log.warn(`redis is unavailable, the ${noun} opens anyway and reconnects in the background`, { address: this.address, error: this.cause(outcome.error) });
  }

  /** Rejects at once, without touching the socket, while Redis is away or after close. */
  check(): void {
    if (this.closed) throw redisErrors.CLOSED(describeSubject(this.subject));
    if (!this.ready) throw this.unavailable(this.lastError);
  }

  /** A coded error for a failure of `command`. */
  wrap(err: unknown, command: string): RrError {
    if (isRrError(err)) return err;
    if (this.closed) return redisErrors.CLOSED(describeSubject(this.subject), { cause: err });
    switch (classify(err)) {
      case 'auth':
        return redisErrors.AUTH_FAILED(this.address, message(err), { cause: err, details: this.details() });
      case 'db':
        return redisErrors.DB_REJECTED(this.address, this.db, message(err), { cause: err, details: this.details() });
      case 'reply':
        return redisErrors.COMMAND_FAILED(this.address, command, message(err), { cause: err, details: this.details() });
      default:
        return this.unavailable(err);
    }
  }

  private unavailable(err: unknown): RrError {
    return redisErrors.UNAVAILABLE(this.address, describeSubject(this.subject), this.cause(err), {
      ...(err === undefined ? {} : { cause: err }),
      details: { ...this.details(), address: this.address },
    });
  }

  /** `{ storage }` or `{ pipeline }`: what the error is about, for callers that branch on it. */
  private details(): Record<string, string> {
    return { [this.subject.kind === 'kv storage' ? 'storage' : 'pipeline']: this.subject.name };
  }

  private cause(err: unknown = this.lastError): string {
    if (err === undefined) return this.closed ? `the ${this.subject.kind} is closed` : `no connection (${this.client.status})`;
    const m = message(err);
    // A refused reconnect says only "connect ECONNREFUSED"; a dropped socket "Connection is closed".
    return m === '' ? String((err as { code?: unknown }).code ?? 'connection error') : m;
  }

  /** Disconnects for good: QUIT when connected (bounded by the signal), then drop the socket. */
  async close(signal: AbortSignal): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ready && !signal.aborted) {
      const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await Promise.race([this.client.quit().then(
        () => undefined,
        () => undefined,
      ), aborted]);
    }
    this.client.disconnect();
  }
}
