import type { RrError } from '@rr/errors';
import type { Payload } from './types.js';

/** What a {@link ResponseStream} needs from the worker that feeds it. */
export interface StreamSource {
  /** The consumer stopped early: send STOP and drain. */
  cancelStream(stream: ResponseStream): void;
  /** The consumer caught up: read from the worker again. */
  resumeStream(stream: ResponseStream): void;
}

/** Frames buffered before the worker's relay is paused (backpressure down to the PHP process). */
export const STREAM_HIGH_WATER = 64;
/** Reading resumes once the consumer brought the buffer down to this. */
export const STREAM_LOW_WATER = 16;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

interface Pending {
  resolve: (result: IteratorResult<Payload, undefined>) => void;
  reject: (err: unknown) => void;
}

/**
 * The chunks of a streamed response after the first frame (`ExecResult.stream`). Iterable once.
 *
 * @remarks Frames are queued while the consumer is slower than the worker; past {@link STREAM_HIGH_WATER}
 * frames the worker's relay is paused, so a slow client slows the PHP process down instead of growing
 * memory. Ending the iteration early or aborting the exec signal cancels the stream (STOP + drain).
 */
export class ResponseStream implements AsyncIterableIterator<Payload, undefined> {
  readonly #source: StreamSource;
  #items: Payload[] = [];
  #head = 0;
  /** The final frame arrived. */
  #ended = false;
  /** The consumer is gone (return, throw or abort). */
  #closed = false;
  #error: RrError | undefined;
  #pending: Pending | undefined;
  #signal: AbortSignal | undefined;
  readonly #abortError: () => RrError;
  /** The relay was paused because the buffer reached the high-water mark. */
  paused = false;

  constructor(source: StreamSource, signal: AbortSignal | undefined, abortError: () => RrError) {
    this.#source = source;
    this.#abortError = abortError;
    if (signal !== undefined) {
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** Frames buffered and not yet consumed. */
  get buffered(): number {
    return this.#items.length - this.#head;
  }

  /** Called by the worker for every chunk; returns the number of frames now buffered. */
  push(payload: Payload): number {
    if (this.#closed) return 0;
    const pending = this.#pending;
    if (pending !== undefined && this.buffered === 0) {
      this.#pending = undefined;
      pending.resolve({ done: false, value: payload });
      return 0;
    }
    this.#items.push(payload);
    return this.buffered;
  }

  /** The worker sent the final frame. */
  end(): void {
    this.#ended = true;
    this.#release();
    if (this.buffered === 0) this.#settle();
  }

  /** The stream broke (worker error frame, crash, exec_ttl); the consumer sees `err` after the buffered frames. */
  fail(err: RrError): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    this.#error = err;
    this.#release();
    if (this.buffered === 0) this.#settle();
  }

  next(): Promise<IteratorResult<Payload, undefined>> {
    if (this.buffered > 0) {
      const value = this.#items[this.#head] as Payload;
      this.#items[this.#head++] = undefined as unknown as Payload;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      if (this.paused && this.buffered <= STREAM_LOW_WATER) this.#source.resumeStream(this);
      return Promise.resolve({ done: false, value });
    }
    if (this.#closed || this.#ended) {
      const err = this.#error;
      this.#error = undefined;
      this.#closed = true;
      return err === undefined ? Promise.resolve(DONE) : Promise.reject(err);
    }
    if (this.#pending !== undefined) return Promise.reject(new TypeError('ResponseStream.next() called while a previous next() is pending'));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Payload, undefined>> {
    this.#close(undefined);
    return Promise.resolve(DONE);
  }

  throw(): Promise<IteratorResult<Payload, undefined>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  readonly #onAbort = (): void => {
    this.#close(this.#abortError());
  };

  #close(err: RrError | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#items = [];
    this.#head = 0;
    const wasEnded = this.#ended;
    this.#release();
    if (!wasEnded) this.#source.cancelStream(this);
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending !== undefined) {
      if (err === undefined) pending.resolve(DONE);
      else pending.reject(err);
    }
  }

  /** Resolves a pending next() once the stream is over and the buffer is empty. */
  #settle(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    this.#pending = undefined;
    const err = this.#error;
    this.#error = undefined;
    this.#closed = true;
    if (err === undefined) pending.resolve(DONE);
    else pending.reject(err);
  }

  #release(): void {
    if (this.#signal !== undefined) {
      this.#signal.removeEventListener('abort', this.#onAbort);
      this.#signal = undefined;
    }
  }
}
