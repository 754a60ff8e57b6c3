import { goridgeErrors } from './errors.js';

// ── flags (byte 1) ────────────────────────────────────────────────────────────────────────
/** Control message (JSON payload `{"pid":…}` or `{"stop":true}`), no options. */
export const CONTROL = 0x01;
/** Payload is raw bytes. */
export const CODEC_RAW = 0x04;
/** Payload is JSON. */
export const CODEC_JSON = 0x08;
/** Payload is MessagePack. */
export const CODEC_MSGPACK = 0x10;
/** Payload is Go gob (the RPC fallback when no codec bit is set). */
export const CODEC_GOB = 0x20;
/** Payload carries an error message. */
export const ERROR = 0x40;
/** Payload is protobuf. */
export const CODEC_PROTO = 0x80;

// ── byte10 bits ───────────────────────────────────────────────────────────────────────────
/** worker→server: this response is a chunk, more follow. */
export const STREAM = 0x01;
/** server→worker: cancel the current stream. */
export const STOP = 0x02;
/** worker→server: answer with a PONG. */
export const PING = 0x04;
/** server→worker: answer to PING. */
export const PONG = 0x08;

/** Protocol version written into the upper nibble of byte 0. */
export const VERSION = 1;
/** Bytes of the fixed header (3 words). */
export const HEADER_SIZE = 12;
/** Options a frame may carry (header length nibble 3..13). */
export const MAX_OPTIONS = 10;
/** The largest payload length the uint32 length field can express. */
export const MAX_PAYLOAD_LENGTH = 0xffff_ffff;

/** One decoded goridge v3 frame. */
export interface Frame {
  /** Upper nibble of byte 0; always 1 when written, never validated when read (as in Go and PHP). */
  readonly version: number;
  /** Byte 1: CONTROL, codec and ERROR bits. Unknown bits are kept. */
  readonly flags: number;
  /** Byte 10: STREAM, STOP, PING, PONG bits. */
  readonly byte10: number;
  /** Byte 11: reserved, 0 when written. */
  readonly byte11: number;
  /** The uint32 options (0..10). */
  readonly options: number[];
  /**
   * The payload. It may be a view into the chunk handed to the decoder when the whole payload arrived inside
   * that chunk (no copy); otherwise it is an exactly sized copy. See {@link FrameDecoder}.
   */
  readonly payload: Buffer;
  /** The header CRC as stored in bytes 6..9 (verified by the decoder). */
  readonly crc: number;
}

/** The payload of a frame to encode: bytes, or parts written back to back (strings as UTF-8). */
export type PayloadInput = Uint8Array | readonly (Uint8Array | string)[];

/** The fields of a frame to encode. */
export interface FrameInit {
  flags: number;
  byte10?: number;
  options?: readonly number[];
  payload?: PayloadInput;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC-32/IEEE (zlib's) of the six bytes at `offset`: the goridge header checksum.
 *
 * @remarks A table walk over 6 bytes is about 7× faster than `zlib.crc32()` (no native call, no
 * `subarray` allocation); the tests check both agree.
 */
export function headerCrc(bytes: Uint8Array, offset = 0): number {
  let c = -1;
  for (let i = offset; i < offset + 6; i++) c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/**
 * Encodes one frame into a single, exactly sized Buffer (one allocation), to be written with one `write()`:
 * PHP reads the 12-byte header with a single `fread`.
 *
 * @throws RR_ERR_GORIDGE_TOO_MANY_OPTIONS more than 10 options.
 * @throws RR_ERR_GORIDGE_BAD_FRAME_FIELD flags, byte10 or an option out of range, or a payload over 4 GiB − 1.
 */
export function encodeFrame(init: FrameInit): Buffer {
  const options = init.options ?? NO_OPTIONS;
  const payload = init.payload ?? EMPTY;
  let length: number;
  if (payload instanceof Uint8Array) {
    length = payload.length;
  } else {
    length = 0;
    for (const part of payload) length += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  }
  const buf = writeHeader(init.flags, init.byte10 ?? 0, options, length);
  let at = buf.length - length;
  if (payload instanceof Uint8Array) {
    buf.set(payload, at);
  } else {
    for (const part of payload) {
      if (typeof part === 'string') {
        at += buf.write(part, at);
      } else {
        buf.set(part, at);
        at += part.length;
      }
    }
  }
  return buf;
}

/**
 * Encodes a worker data frame: options `[len(context)]`, payload `context ‖ body` (PROTOCOL §3.1), in one
 * allocation.
 *
 * @throws RR_ERR_GORIDGE_BAD_FRAME_FIELD see {@link encodeFrame}.
 */
export function encodeData(flags: number, context: Uint8Array, body: Uint8Array, byte10 = 0): Buffer {
  const buf = writeHeader(flags, byte10, [context.length], context.length + body.length);
  buf.set(context, 16);
  buf.set(body, 16 + context.length);
  return buf;
}

const NO_OPTIONS: readonly number[] = [];
const EMPTY = Buffer.alloc(0);

/** Allocates the whole frame and fills header and options; the caller copies the payload in. */
function writeHeader(flags: number, byte10: number, options: readonly number[], length: number): Buffer {
  if (options.length > MAX_OPTIONS) throw goridgeErrors.TOO_MANY_OPTIONS(options.length);
  checkByte('flags', flags);
  checkByte('byte10', byte10);
  if (length > MAX_PAYLOAD_LENGTH) throw goridgeErrors.BAD_FRAME_FIELD('payload length', length, 'at most 4294967295 bytes');
  const hl = 3 + options.length;
  const buf = Buffer.allocUnsafe(hl * 4 + length);
  buf[0] = (VERSION << 4) | hl;
  buf[1] = flags;
  putU32(buf, 2, length);
  putU32(buf, 6, headerCrc(buf, 0));
  buf[10] = byte10;
  buf[11] = 0;
  for (let i = 0; i < options.length; i++) {
    const value = options[i] as number;
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
      throw goridgeErrors.BAD_FRAME_FIELD(`options[${i}]`, value, 'an integer 0..4294967295');
    }
    putU32(buf, 12 + i * 4, value);
  }
  return buf;
}

/** Little-endian uint32 store without `writeUInt32LE`'s argument checks (values are validated above). */
function putU32(buf: Buffer, at: number, value: number): void {
  buf[at] = value;
  buf[at + 1] = value >>> 8;
  buf[at + 2] = value >>> 16;
  buf[at + 3] = value >>> 24;
}

function checkByte(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw goridgeErrors.BAD_FRAME_FIELD(field, value, 'an integer 0..255');
}
