import { httpErrors } from './errors.js';

/**
 * FastCGI 1.0 records (the FastCGI Specification, Open Market 1996, §3 and §8): the byte layout only,
 * no connection logic (that is fcgi.ts).
 */

export const FCGI_VERSION_1 = 1;

/** Record types (spec §8). */
export const FcgiType = {
  BEGIN_REQUEST: 1,
  ABORT_REQUEST: 2,
  END_REQUEST: 3,
  PARAMS: 4,
  STDIN: 5,
  STDOUT: 6,
  STDERR: 7,
  DATA: 8,
  GET_VALUES: 9,
  GET_VALUES_RESULT: 10,
  UNKNOWN_TYPE: 11,
} as const;

/** Roles of FCGI_BeginRequestBody; only the responder is implemented. */
export const FCGI_RESPONDER = 1;
/** The flag of FCGI_BeginRequestBody asking the application to keep the connection open. */
export const FCGI_KEEP_CONN = 1;

/** protocolStatus of FCGI_EndRequestBody. */
export const FcgiStatus = { REQUEST_COMPLETE: 0, CANT_MPX_CONN: 1, OVERLOADED: 2, UNKNOWN_ROLE: 3 } as const;

export const HEADER_LENGTH = 8;
/** contentLength is 16 bits. */
export const MAX_CONTENT_LENGTH = 65_535;

/** One record as received: content without its padding. */
export interface FcgiRecord {
  type: number;
  requestId: number;
  content: Buffer;
}

const ZEROS = Buffer.alloc(8);

/**
 * The header (and padding, to a multiple of 8 bytes as the spec recommends) of one record whose
 * content is `length` bytes: the pieces to write are `[header, content, padding]`.
 */
export function recordHeader(type: number, requestId: number, length: number): { header: Buffer; padding: Buffer | undefined } {
  const paddingLength = (8 - (length % 8)) % 8;
  const header = Buffer.allocUnsafe(HEADER_LENGTH);
  header[0] = FCGI_VERSION_1;
  header[1] = type;
  header.writeUInt16BE(requestId, 2);
  header.writeUInt16BE(length, 4);
  header[6] = paddingLength;
  header[7] = 0;
  return { header, padding: paddingLength === 0 ? undefined : ZEROS.subarray(0, paddingLength) };
}

/**
 * One record (or, for a stream type with more than 65535 bytes, several) as buffers to write in order.
 * Content is not copied: the pieces are views of `content`.
 */
export function encodeRecords(type: number, requestId: number, content: Buffer = ZEROS.subarray(0, 0)): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  do {
    const piece = content.subarray(offset, offset + MAX_CONTENT_LENGTH);
    const { header, padding } = recordHeader(type, requestId, piece.length);
    out.push(header);
    if (piece.length > 0) out.push(piece);
    if (padding !== undefined) out.push(padding);
    offset += piece.length;
  } while (offset < content.length);
  return out;
}

/** FCGI_EndRequestBody: appStatus (32 bits) and protocolStatus. */
export function endRequestBody(appStatus: number, protocolStatus: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(appStatus >>> 0, 0);
  body[4] = protocolStatus;
  return body;
}

/** FCGI_UnknownTypeBody. */
export function unknownTypeBody(type: number): Buffer {
  const body = Buffer.alloc(8);
  body[0] = type;
  return body;
}

/**
 * Splits a byte stream into records. Pieces are kept as a list and joined once per complete record, so
 * a record trickling in byte by byte costs linear time, not quadratic. Memory is bounded by one record
 * (8 + 65535 + 255 bytes) plus what the socket delivered in one read.
 */
export class RecordParser {
  #pieces: Buffer[] = [];
  #length = 0;

  /**
   * Feeds bytes; calls `onRecord` for every complete record, in order.
   *
   * @throws RR_ERR_HTTP_FCGI_PROTOCOL on a header whose version is not 1 (a peer that does not speak
   * FastCGI, or a stream out of step): nothing after it can be trusted.
   */
  push(chunk: Buffer, onRecord: (record: FcgiRecord) => void): void {
    this.#pieces.push(chunk);
    this.#length += chunk.length;
    while (this.#length >= HEADER_LENGTH) {
      const head = this.#head();
      if (head[0] !== FCGI_VERSION_1) throw httpErrors.FCGI_PROTOCOL(`unsupported record version ${head[0]}`);
      const contentLength = head.readUInt16BE(4);
      const total = HEADER_LENGTH + contentLength + (head[6] as number);
      if (this.#length < total) return;
      const all = this.#pieces.length === 1 ? (this.#pieces[0] as Buffer) : Buffer.concat(this.#pieces, this.#length);
      const rest = all.subarray(total);
      this.#pieces = rest.length === 0 ? [] : [rest];
      this.#length = rest.length;
      onRecord({ type: all[1] as number, requestId: all.readUInt16BE(2), content: all.subarray(HEADER_LENGTH, HEADER_LENGTH + contentLength) });
    }
  }

  /** The first 8 bytes, joining the first pieces when the header is split across reads. */
  #head(): Buffer {
    const first = this.#pieces[0] as Buffer;
    if (first.length >= HEADER_LENGTH) return first;
    const joined = Buffer.concat(this.#pieces, this.#length);
    this.#pieces = [joined];
    return joined;
  }
}

/**
 * Name-value pairs (spec §3.4): each length is one byte below 128, else four bytes with the top bit
 * set. Names and values are read as latin1, as Node's HTTP parser reads header bytes.
 *
 * @throws RR_ERR_HTTP_FCGI_PROTOCOL when a length runs past the end.
 */
export function decodePairs(data: Buffer): [string, string][] {
  const pairs: [string, string][] = [];
  let i = 0;
  const length = (): number => {
    if (i >= data.length) throw httpErrors.FCGI_PROTOCOL('a name-value pair is cut short');
    const b = data[i] as number;
    if (b < 0x80) {
      i += 1;
      return b;
    }
    if (i + 4 > data.length) throw httpErrors.FCGI_PROTOCOL('a name-value pair length is cut short');
    const n = data.readUInt32BE(i) & 0x7fffffff;
    i += 4;
    return n;
  };
  while (i < data.length) {
    const nameLength = length();
    const valueLength = length();
    if (i + nameLength + valueLength > data.length) throw httpErrors.FCGI_PROTOCOL('a name-value pair runs past the end of its stream');
    const name = data.toString('latin1', i, i + nameLength);
    i += nameLength;
    const value = data.toString('latin1', i, i + valueLength);
    i += valueLength;
    pairs.push([name, value]);
  }
  return pairs;
}

/** Encodes name-value pairs (for FCGI_GET_VALUES_RESULT). */
export function encodePairs(pairs: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [];
  const lengthBytes = (n: number): Buffer => {
    if (n < 0x80) return Buffer.from([n]);
    const b = Buffer.alloc(4);
    b.writeUInt32BE((n | 0x80000000) >>> 0);
    return b;
  };
  for (const [name, value] of pairs) {
    const n = Buffer.from(name, 'latin1');
    const v = Buffer.from(value, 'latin1');
    parts.push(lengthBytes(n.length), lengthBytes(v.length), n, v);
  }
  return Buffer.concat(parts);
}
