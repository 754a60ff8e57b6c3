import type { RrError } from '@rr/errors';
import { PREVIEW_LIMIT } from './bytes.js';
import { goridgeErrors } from './errors.js';
import { HEADER_SIZE, MAX_PAYLOAD_LENGTH, headerCrc, type Frame } from './frame.js';

/**
 * Default limit on one frame's payload: 1 GiB. Go has none (up to 4 GiB − 1); a limit keeps a corrupt
 * but CRC-valid header from making us allocate gigabytes. Raise it per decoder/relay with `maxPayload`.
 */
export const DEFAULT_MAX_PAYLOAD = 1024 ** 3;

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Largest accepted payload in bytes, 0..4294967295. @default {@link DEFAULT_MAX_PAYLOAD} */
  maxPayload?: number;
}

/** PHP CLI's "Could not open input file: …" starts with these 12 bytes (Go's `internal.ReceiveFrame`). */
const COULD_NOT_OP = Buffer.from('Could not op', 'latin1');
const EMPTY = Buffer.alloc(0);

/**
 * Incremental goridge v3 frame decoder: feed it chunks of any size, get complete frames back.
 *
 * @remarks
 * For each frame, once its 12 header bytes are in, it checks in this order: the 12 bytes equal
 * `Could not op` (FILE_NOT_FOUND), the CRC over bytes 0..5 (STRAY_OUTPUT: whatever the peer wrote is not a
 * frame), the header length nibble ≥ 3 (BAD_HEADER_LENGTH), the payload length ≤ `maxPayload`
 * (FRAME_TOO_LARGE). All of this happens before any payload allocation, so a frame never makes it allocate
 * more than its declared (and accepted) length. The version nibble and unknown flag bits are not checked
 * (as in Go). Go reads the options before it checks the CRC; checking first only reports garbage sooner.
 *
 * Payloads are zero-copy views into the pushed chunk when the whole payload arrived in that chunk, and an
 * exactly sized copy otherwise. Do not reuse or mutate a chunk after pushing it (Node streams never do).
 *
 * Each byte is looked at a constant number of times. After an error the decoder is poisoned: every later
 * `push()` or `end()` throws the same error; discard the relay.
 */
export class FrameDecoder {
  /** The payload limit in force. */
  readonly maxPayload: number;
  #error: RrError | undefined;
  /**
   * Header and options of the frame in progress when they did not arrive in one chunk. Sized for the
   * largest header the nibble can declare (15 words): writers stop at 10 options, but like PHP's reader we
   * decode whatever count a CRC-valid header declares.
   */
  readonly #head = Buffer.allocUnsafe(15 * 4);
  #headLen = 0;
  /** Header bytes (12 + options) of the frame in progress; 0 until its 12-byte header is validated. */
  #headSize = 0;
  #length = 0;
  #payload: Buffer | undefined;
  #filled = 0;
  /** Stream offset of the first byte of the frame in progress. */
  #position = 0;

  /**
   * @throws RR_ERR_GORIDGE_INVALID_OPTION `maxPayload` is not an integer 0..4294967295.
   */
  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    if (!Number.isInteger(max) || max < 0 || max > MAX_PAYLOAD_LENGTH) {
      throw goridgeErrors.INVALID_OPTION('maxPayload', max, 'an integer 0..4294967295');
    }
    this.maxPayload = max;
  }

  /** The error that poisoned the decoder, if any. */
  get error(): RrError | undefined {
    return this.#error;
  }

  /** Bytes of an incomplete frame held so far. */
  get buffered(): number {
    return this.#headLen + this.#filled;
  }

  /**
   * Decodes every frame completed by `chunk`.
   *
   * @remarks When malformed bytes follow complete frames in the same chunk, those frames are returned and
   * the decoder is poisoned: check {@link error} after each call (the next `push()` throws it).
   * @throws RR_ERR_GORIDGE_FILE_NOT_FOUND, RR_ERR_GORIDGE_STRAY_OUTPUT, RR_ERR_GORIDGE_BAD_HEADER_LENGTH,
   * RR_ERR_GORIDGE_FRAME_TOO_LARGE (and the poisoning error on later calls). Nothing else.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.#error !== undefined) throw this.#error;
    const frames: Frame[] = [];
    try {
      this.#decode(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), frames);
    } catch (err) {
      this.#error = err as RrError;
      if (frames.length === 0) throw err;
    }
    return frames;
  }

  /**
   * Declares the end of the stream.
   *
   * @throws RR_ERR_GORIDGE_TRUNCATED when part of a frame is buffered (and the poisoning error, if any).
   */
  end(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.buffered === 0) return;
    const head = this.#head.subarray(0, this.#headLen);
    const part = this.#payload === undefined ? EMPTY : this.#payload.subarray(0, Math.min(this.#filled, PREVIEW_LIMIT));
    const preview = Buffer.concat([head, part]).subarray(0, PREVIEW_LIMIT);
    this.#error = goridgeErrors.TRUNCATED(this.buffered, preview, { details: { bytes: preview, position: this.#position } });
    throw this.#error;
  }

  #decode(buf: Buffer, frames: Frame[]): void {
    const end = buf.length;
    let off = 0;
    while (off < end) {
      // 1. Filling a payload that spans chunks.
      if (this.#payload !== undefined) {
        const n = Math.min(end - off, this.#length - this.#filled);
        buf.copy(this.#payload, this.#filled, off, off + n);
        this.#filled += n;
        off += n;
        if (this.#filled === this.#length) this.#complete(frames, this.#payload);
        continue;
      }

      // 2. A frame starting in this chunk: decode it in place when it is entirely here.
      if (this.#headLen === 0) {
        const avail = end - off;
        if (avail < HEADER_SIZE) {
          buf.copy(this.#head, 0, off, end);
          this.#headLen = avail;
          return;
        }
        this.#check(buf, off, buf, off + HEADER_SIZE);
        const size = ((buf[off] as number) & 0x0f) * 4;
        const length = u32(buf, off + 2);
        if (avail >= size + length) {
          frames.push(makeFrame(buf, off, size, length === 0 ? EMPTY : buf.subarray(off + size, off + size + length)));
          this.#position += size + length;
          off += size + length;
          continue;
        }
        const n = Math.min(avail, size);
        buf.copy(this.#head, 0, off, off + n);
        off += n;
        this.#headLen = n;
        this.#headSize = size;
        this.#length = length;
        // The payload is non-empty here, or the frame would have been complete.
        if (n === size) this.#startPayload();
        continue;
      }

      // 3. A header that spans chunks.
      if (this.#headSize === 0) {
        const n = Math.min(end - off, HEADER_SIZE - this.#headLen);
        buf.copy(this.#head, this.#headLen, off, off + n);
        this.#headLen += n;
        off += n;
        if (this.#headLen < HEADER_SIZE) continue;
        this.#check(this.#head, 0, buf, off);
        this.#headSize = ((this.#head[0] as number) & 0x0f) * 4;
        this.#length = u32(this.#head, 2);
      }
      if (this.#headLen < this.#headSize) {
        const n = Math.min(end - off, this.#headSize - this.#headLen);
        buf.copy(this.#head, this.#headLen, off, off + n);
        this.#headLen += n;
        off += n;
        if (this.#headLen < this.#headSize) continue;
      }
      if (this.#length === 0) {
        this.#complete(frames, EMPTY);
      } else if (end - off >= this.#length) {
        off += this.#length;
        this.#complete(frames, buf.subarray(off - this.#length, off));
      } else {
        this.#startPayload();
      }
    }
  }

  #startPayload(): void {
    this.#payload = Buffer.allocUnsafe(this.#length);
    this.#filled = 0;
  }

  /** Emits the frame whose header sits in `#head`, and resets for the next one. */
  #complete(frames: Frame[], payload: Buffer): void {
    frames.push(makeFrame(this.#head, 0, this.#headSize, payload));
    this.#position += this.#headSize + this.#length;
    this.#headLen = 0;
    this.#headSize = 0;
    this.#length = 0;
    this.#payload = undefined;
    this.#filled = 0;
  }

  /**
   * Validates the 12-byte header at `h[at]`; `rest[restAt..]` holds the bytes buffered after it (shown in
   * errors, up to {@link PREVIEW_LIMIT} bytes in all).
   */
  #check(h: Buffer, at: number, rest: Buffer, restAt: number): void {
    if (h[at] === 0x43 && h.compare(COULD_NOT_OP, 0, HEADER_SIZE, at, at + HEADER_SIZE) === 0) {
      const bytes = this.#preview(h, at, rest, restAt);
      throw goridgeErrors.FILE_NOT_FOUND(bytes, { details: { bytes, position: this.#position } });
    }
    if (headerCrc(h, at) !== u32(h, at + 6)) {
      const bytes = this.#preview(h, at, rest, restAt);
      throw goridgeErrors.STRAY_OUTPUT(bytes, this.#position, { details: { bytes, position: this.#position } });
    }
    const hl = (h[at] as number) & 0x0f;
    if (hl < 3) {
      const bytes = this.#preview(h, at, rest, restAt);
      throw goridgeErrors.BAD_HEADER_LENGTH(hl, bytes, { details: { bytes, position: this.#position } });
    }
    const length = u32(h, at + 2);
    if (length > this.maxPayload) {
      throw goridgeErrors.FRAME_TOO_LARGE(length, this.maxPayload, { details: { length, limit: this.maxPayload, position: this.#position } });
    }
  }

  #preview(h: Buffer, at: number, rest: Buffer, restAt: number): Buffer {
    const tail = rest.subarray(restAt, restAt + PREVIEW_LIMIT - HEADER_SIZE);
    // Copies, so the error never pins or aliases the caller's chunk.
    return Buffer.concat([h.subarray(at, at + HEADER_SIZE), tail]);
  }
}

/**
 * Decodes a buffer holding exactly one frame (tests, tools). The payload is a view into `bytes`.
 *
 * @throws RR_ERR_GORIDGE_TRUNCATED the frame is incomplete (or `bytes` is empty).
 * @throws RR_ERR_GORIDGE_TRAILING_BYTES bytes follow the frame.
 * @throws any {@link FrameDecoder.push} error.
 */
export function decodeFrame(bytes: Uint8Array, options?: FrameDecoderOptions): Frame {
  const decoder = new FrameDecoder(options);
  const [frame] = decoder.push(bytes);
  if (frame === undefined) {
    decoder.end();
    throw goridgeErrors.TRUNCATED(0, EMPTY);
  }
  const size = HEADER_SIZE + frame.options.length * 4 + frame.payload.length;
  if (bytes.length > size) throw goridgeErrors.TRAILING_BYTES(bytes.length - size, { details: { frameSize: size } });
  return frame;
}

function u32(b: Buffer, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

function makeFrame(h: Buffer, at: number, size: number, payload: Buffer): Frame {
  const options: number[] = [];
  for (let p = at + HEADER_SIZE; p < at + size; p += 4) options.push(u32(h, p));
  return {
    version: (h[at] as number) >> 4,
    flags: h[at + 1] as number,
    byte10: h[at + 10] as number,
    byte11: h[at + 11] as number,
    options,
    payload,
    crc: u32(h, at + 6),
  };
}
