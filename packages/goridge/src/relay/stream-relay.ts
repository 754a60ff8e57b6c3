import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { isRrError, type RrError } from '@rr/errors';
import { PREVIEW_LIMIT } from '../bytes.js';
import { FrameDecoder } from '../decoder.js';
import { goridgeErrors } from '../errors.js';
import type { Frame } from '../frame.js';

/** Events of a {@link Relay}. */
export interface RelayEvents {
  /** A frame arrived. Frames that arrive while nobody listens are held (and reading paused) until a listener is added. */
  frame: [frame: Frame];
  /** The relay failed (malformed bytes, I/O error); a `close` follows. Only emitted when someone listens; see {@link Relay.error}. */
  error: [error: RrError];
  /** The relay is closed, by `close()`, by the peer or after an error (then passed along). Emitted once. */
  close: [error: RrError | undefined];
}

/** A bidirectional goridge frame channel: pipes, TCP or unix socket. */
export interface Relay extends EventEmitter<RelayEvents> {
  /**
   * Writes one encoded frame with a single `write()` call. Resolves at once, or after `drain` when the
   * stream buffer is full (backpressure).
   *
   * @throws RR_ERR_GORIDGE_RELAY_CLOSED (rejection) the relay is closed or closes while waiting for `drain`.
   */
  send(frame: Uint8Array): Promise<void>;
  /**
   * The next frame. One consumer at a time.
   *
   * @throws RR_ERR_GORIDGE_TIMEOUT (rejection) nothing arrived within `timeoutMs`; the relay stays usable.
   * @throws the relay's error, or RR_ERR_GORIDGE_RELAY_CLOSED, when it closes first.
   */
  receive(timeoutMs?: number): Promise<Frame>;
  /** Closes both directions; idempotent. Pending sends and receives reject with RR_ERR_GORIDGE_RELAY_CLOSED. */
  close(): Promise<void>;
  /** True once closed. */
  readonly closed: boolean;
  /** The error that closed the relay, if any. */
  readonly error: RrError | undefined;
}

/** Options shared by every relay. */
export interface RelayOptions {
  /** Largest accepted frame payload. @default 1 GiB ({@link DEFAULT_MAX_PAYLOAD}) */
  maxPayload?: number;
  /**
   * After stray output or "Could not open input file" is detected, how long to keep collecting bytes (up to
   * 256 in all) so the error shows the whole message. Go waits up to 2 s on sockets. @default 100
   */
  strayGraceMs?: number;
}

const RESOLVED = Promise.resolve();

interface Collecting {
  error: RrError;
  bytes: Buffer[];
  size: number;
  timer?: NodeJS.Timeout;
}

/**
 * A relay over a readable (frames in) and a writable (frames out): a worker's stdout and stdin (`pipes`),
 * or both sides of one duplex stream.
 *
 * @remarks The relay closes when the input ends or fails, on a malformed frame, or on `close()`. A write
 * failure (EPIPE: the worker died) fails later sends at once but closes the relay only when the input ends
 * or after `strayGraceMs`, so that what the worker printed before dying (stray output, "Could not open
 * input file") is still decoded and reported instead of a bare EPIPE.
 *
 * @throws RR_ERR_GORIDGE_INVALID_OPTION (constructor) bad `maxPayload` or `strayGraceMs`.
 */
export class StreamRelay extends EventEmitter<RelayEvents> implements Relay {
  readonly #input: Readable;
  readonly #output: Writable;
  readonly #decoder: FrameDecoder;
  readonly #graceMs: number;
  #closed = false;
  #error: RrError | undefined;
  #writeError: RrError | undefined;
  #writeTimer: NodeJS.Timeout | undefined;
  /** Frames that arrived while no `frame` listener was attached. */
  readonly #backlog: Frame[] = [];
  #drain: { promise: Promise<void>; reject: (err: RrError) => void } | undefined;
  /** Set while collecting more bytes to complete a stray-output error. */
  #collecting: Collecting | undefined;

  constructor(input: Readable, output: Writable, options: RelayOptions = {}) {
    super();
    this.#graceMs = validateRelayOptions(options);
    this.#decoder = new FrameDecoder({ maxPayload: options.maxPayload });
    this.#input = input;
    this.#output = output;
    input.on('data', this.#onData);
    input.on('end', this.#onEnd);
    input.on('close', this.#onEnd);
    input.on('error', this.#onInputError);
    if (output !== (input as unknown)) output.on('error', this.#onOutputError);
    // 'newListener' is not part of the typed event map.
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (event === 'frame' && this.#backlog.length > 0) queueMicrotask(this.#flush);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get error(): RrError | undefined {
    return this.#error;
  }

  send(frame: Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(goridgeErrors.RELAY_CLOSED('cannot send', { cause: this.#error }));
    if (this.#writeError !== undefined) return Promise.reject(this.#writeError);
    if (this.#output.write(frame)) return RESOLVED;
    if (this.#drain === undefined) {
      let reject!: (err: RrError) => void;
      const promise = new Promise<void>((res, rej) => {
        reject = rej;
        this.#output.once('drain', () => {
          this.#drain = undefined;
          res();
        });
      });
      // Rejected on close; callers that did not wait must not cause an unhandled rejection.
      promise.catch(noop);
      this.#drain = { promise, reject };
    }
    return this.#drain.promise;
  }

  receive(timeoutMs?: number): Promise<Frame> {
    return new Promise<Frame>((resolve, reject) => {
      if (this.#closed && this.#backlog.length === 0) {
        reject(this.#error ?? goridgeErrors.RELAY_CLOSED('nothing more to receive'));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.off('frame', onFrame);
        this.off('close', onClose);
      };
      const onFrame = (frame: Frame): void => {
        done();
        resolve(frame);
      };
      const onClose = (err: RrError | undefined): void => {
        done();
        reject(err ?? goridgeErrors.RELAY_CLOSED('closed while waiting for a frame'));
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          done();
          reject(goridgeErrors.TIMEOUT(timeoutMs));
        }, timeoutMs);
      }
      this.on('frame', onFrame);
      this.on('close', onClose);
    });
  }

  close(): Promise<void> {
    this.#shutdown(undefined);
    return RESOLVED;
  }

  /** Releases the streams on close: stop reading, flush and end the output. Sockets override it. */
  protected closeStreams(input: Readable, output: Writable): void {
    input.destroy();
    output.end();
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#collecting !== undefined) {
      this.#collect(this.#collecting, chunk);
      return;
    }
    let frames: Frame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      this.#decodeFailed(err as RrError);
      return;
    }
    for (const frame of frames) {
      if (this.#closed) return;
      if (this.#backlog.length > 0 || this.listenerCount('frame') === 0) {
        this.#backlog.push(frame);
        this.#input.pause();
      } else {
        this.emit('frame', frame);
      }
    }
    if (this.#decoder.error !== undefined) this.#decodeFailed(this.#decoder.error);
  };

  readonly #flush = (): void => {
    while (this.#backlog.length > 0 && this.listenerCount('frame') > 0) this.emit('frame', this.#backlog.shift() as Frame);
    if (this.#backlog.length === 0 && !this.#closed) this.#input.resume();
  };

  readonly #onEnd = (): void => {
    if (this.#collecting !== undefined) {
      this.#finishCollecting();
      return;
    }
    try {
      this.#decoder.end();
    } catch (err) {
      this.#shutdown(err as RrError);
      return;
    }
    this.#shutdown(this.#writeError);
  };

  readonly #onInputError = (err: Error): void => {
    this.#shutdown(goridgeErrors.IO('reading the relay', err.message, { cause: err }));
  };

  readonly #onOutputError = (err: Error): void => {
    if (this.#writeError !== undefined || this.#closed) return;
    this.#writeError = goridgeErrors.IO('writing to the relay', err.message, { cause: err });
    this.#drain?.reject(this.#writeError);
    this.#drain = undefined;
    // A stray-output collection in progress has its own timer and its story wins: don't cut it short.
    this.#writeTimer = setTimeout(() => {
      if (this.#collecting === undefined) this.#shutdown(this.#writeError);
    }, this.#graceMs);
  };

  /** Stray output and "Could not open…" get a short grace period to collect the rest of the text. */
  #decodeFailed(err: RrError): void {
    const bytes = err.details['bytes'] as Buffer | undefined;
    const textual = isRrError(err, goridgeErrors.STRAY_OUTPUT.code) || isRrError(err, goridgeErrors.FILE_NOT_FOUND.code);
    if (!textual || (bytes as Buffer).length >= PREVIEW_LIMIT || this.#graceMs === 0) {
      this.#shutdown(err);
      return;
    }
    const c: Collecting = { error: err, bytes: [bytes as Buffer], size: (bytes as Buffer).length };
    c.timer = setTimeout(() => this.#finishCollecting(), this.#graceMs);
    this.#collecting = c;
    this.#input.resume();
  }

  #collect(c: Collecting, chunk: Buffer): void {
    c.bytes.push(chunk);
    c.size += chunk.length;
    if (c.size >= PREVIEW_LIMIT) this.#finishCollecting();
  }

  /** Ends the grace period: {@link #shutdown} reports what was collected. */
  #finishCollecting(): void {
    this.#shutdown(undefined);
  }

  /** The stray-output error rebuilt with every byte collected so far. */
  #strayError(c: Collecting): RrError {
    const bytes = Buffer.concat(c.bytes).subarray(0, PREVIEW_LIMIT);
    const position = c.error.details['position'] as number;
    const options = { details: { bytes, position } };
    return isRrError(c.error, goridgeErrors.STRAY_OUTPUT.code)
      ? goridgeErrors.STRAY_OUTPUT(bytes, position, options)
      : goridgeErrors.FILE_NOT_FOUND(bytes, options);
  }

  #shutdown(error: RrError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#writeTimer);
    const collecting = this.#collecting;
    if (collecting !== undefined) {
      // Closed (or failed) while collecting stray output: that output is still the story to tell, also
      // over a write error (EPIPE), which is only the consequence of the worker having died.
      clearTimeout(collecting.timer);
      this.#collecting = undefined;
      if (error === undefined || error === this.#writeError) error = this.#strayError(collecting);
    }
    this.#error = error;
    this.#input.off('data', this.#onData);
    // Late stream errors after close must not become uncaught exceptions.
    this.#input.on('error', noop);
    this.#output.on('error', noop);
    this.closeStreams(this.#input, this.#output);
    this.#drain?.reject(goridgeErrors.RELAY_CLOSED('closed while waiting for drain', { cause: error }));
    this.#drain = undefined;
    if (error !== undefined && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close', error);
  }
}

function noop(): void {}

/**
 * Checks relay options up front (listeners call it before binding); returns the grace period.
 *
 * @throws RR_ERR_GORIDGE_INVALID_OPTION
 */
export function validateRelayOptions(options: RelayOptions): number {
  new FrameDecoder({ maxPayload: options.maxPayload });
  const grace = options.strayGraceMs ?? 100;
  if (!Number.isInteger(grace) || grace < 0) throw goridgeErrors.INVALID_OPTION('strayGraceMs', grace, 'an integer ≥ 0');
  return grace;
}
