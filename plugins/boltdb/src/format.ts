import { crc32 } from 'node:zlib';

/**
 * The file format shared by kv storages and jobs pipelines (README "File format"): a 16-byte header,
 * then records appended one after another.
 *
 * header: an 8-byte magic naming the file's kind — kv `89 52 52 4b 56 0d 0a 1a` ("\x89RRKV\r\n\x1a"),
 * jobs `89 52 52 4a 42 0d 0a 1a` ("\x89RRJB\r\n\x1a") — u32 LE version, u32 LE CRC-32 of the first 12
 * bytes. The magic's high first byte and CR LF / ^Z catch files mangled by text-mode transfers, as PNG's
 * does; a bbolt file starts with its page id (zeros), so it can never match.
 *
 * record: u32 LE body length N, N bytes of body, u32 LE CRC-32 of the length and the body. The body is
 * one op byte and its operands; the kv ops are below, the jobs ops in jobs-format.ts.
 * - 1 set:    u32 count, then count × (u32 key length, key UTF-8, f64 deadline, u32 value length, value)
 * - 2 delete: u32 count, then count × (u32 key length, key UTF-8)
 * - 3 expire: u32 count, then count × (u32 key length, key UTF-8, f64 deadline)
 * - 4 clear:  nothing
 * One RPC call is one record, so a batch is applied whole or (torn by a crash) not at all.
 */
export type FileKind = 'kv' | 'jobs';

const MAGICS: Record<FileKind, Buffer> = {
  kv: Buffer.from([0x89, 0x52, 0x52, 0x4b, 0x56, 0x0d, 0x0a, 0x1a]),
  jobs: Buffer.from([0x89, 0x52, 0x52, 0x4a, 0x42, 0x0d, 0x0a, 0x1a]),
};
const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
/** Length and CRC around a body. */
export const RECORD_OVERHEAD = 8;
const MAX_BODY = 0xffff_ffff;

const OP_SET = 1;
const OP_DELETE = 2;
const OP_EXPIRE = 3;
const OP_CLEAR = 4;

/** An item as a set record holds it. */
export interface SetItem {
  key: string;
  value: Uint8Array;
  /** ms since the epoch; undefined = never. */
  expiresAt: number | undefined;
}

/** One logged kv operation. */
export type LogRecord =
  | { op: 'set'; items: readonly SetItem[] }
  | { op: 'delete'; keys: readonly string[] }
  | { op: 'expire'; items: readonly { key: string; expiresAt: number }[] }
  | { op: 'clear' };

export function encodeHeader(kind: FileKind = 'kv', version = FORMAT_VERSION): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  MAGICS[kind].copy(header, 0);
  header.writeUInt32LE(version, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  return header;
}

/** What the first bytes of a file say about it. */
export type HeaderCheck =
  | { kind: 'ours' }
  /** Nothing written yet (a crash right after creating it). */
  | { kind: 'empty' }
  /** A prefix of our header: a crash while writing it. */
  | { kind: 'torn' }
  /** An rr file of the other kind (a kv file opened as a jobs pipeline, or the reverse). */
  | { kind: 'other'; other: FileKind }
  | { kind: 'foreign' }
  | { kind: 'version'; version: number };

/** Reads the header of a file meant to be of `kind` from its first `HEADER_SIZE` bytes (fewer when it is shorter). */
export function checkHeader(bytes: Buffer, kind: FileKind = 'kv'): HeaderCheck {
  if (bytes.length === 0) return { kind: 'empty' };
  const other: FileKind = kind === 'kv' ? 'jobs' : 'kv';
  if (bytes.length < HEADER_SIZE) {
    if (encodeHeader(kind).subarray(0, bytes.length).equals(bytes)) return { kind: 'torn' };
    return encodeHeader(other).subarray(0, bytes.length).equals(bytes) ? { kind: 'other', other } : { kind: 'foreign' };
  }
  if (bytes.readUInt32LE(12) !== crc32(bytes.subarray(0, 12))) return { kind: 'foreign' };
  const magic = bytes.subarray(0, 8);
  if (magic.equals(MAGICS[other])) return { kind: 'other', other };
  if (!magic.equals(MAGICS[kind])) return { kind: 'foreign' };
  const version = bytes.readUInt32LE(8);
  return version === FORMAT_VERSION ? { kind: 'ours' } : { kind: 'version', version };
}

/**
 * Writes one record: the length, then the body through the typed writers, then `seal()` adds the CRC.
 * The body size is computed up front, so the record is one allocation.
 */
export class RecordWriter {
  readonly #buf: Buffer;
  #pos = 4;

  /** @throws RangeError when the body would exceed 4 GiB (callers map it to RR_ERR_BOLTDB_TOO_LARGE). */
  constructor(bodySize: number) {
    if (bodySize > MAX_BODY) throw new RangeError(`record body of ${bodySize} bytes exceeds ${MAX_BODY}`);
    this.#buf = Buffer.allocUnsafe(bodySize + RECORD_OVERHEAD);
    this.#buf.writeUInt32LE(bodySize, 0);
  }

  u8(v: number): void {
    this.#pos = this.#buf.writeUInt8(v, this.#pos);
  }

  u32(v: number): void {
    this.#pos = this.#buf.writeUInt32LE(v, this.#pos);
  }

  u64(v: number): void {
    this.#pos = this.#buf.writeBigUInt64LE(BigInt(v), this.#pos);
  }

  f64(v: number): void {
    this.#pos = this.#buf.writeDoubleLE(v, this.#pos);
  }

  /** u32 byte length, then the UTF-8 bytes. */
  str(s: string): void {
    const len = this.#buf.write(s, this.#pos + 4, 'utf8');
    this.#buf.writeUInt32LE(len, this.#pos);
    this.#pos += 4 + len;
  }

  /** u32 length, then the bytes. */
  bytes(b: Uint8Array): void {
    this.u32(b.byteLength);
    this.#buf.set(b, this.#pos);
    this.#pos += b.byteLength;
  }

  seal(): Buffer {
    if (this.#pos !== this.#buf.length - 4) throw new Error(`record size mismatch: wrote ${this.#pos - 4} of ${this.#buf.length - RECORD_OVERHEAD} body bytes (a bug)`);
    this.#buf.writeUInt32LE(crc32(this.#buf.subarray(0, this.#pos)), this.#pos);
    return this.#buf;
  }
}

/** Bytes a string takes as `RecordWriter.str` writes it. */
export const strSize = (s: string): number => 4 + Buffer.byteLength(s);

/** Reads a body that passed its CRC, after the op byte; every read checks the bounds. */
export class BodyReader {
  readonly #body: Buffer;
  #pos = 1;

  constructor(body: Buffer) {
    this.#body = body;
  }

  get op(): number | undefined {
    return this.#body[0];
  }

  #need(n: number): void {
    if (this.#pos + n > this.#body.length) throw new Error(`operand runs past the end of a ${this.#body.length}-byte record`);
  }

  u8(): number {
    this.#need(1);
    return this.#body.readUInt8(this.#pos++);
  }

  u32(): number {
    this.#need(4);
    const v = this.#body.readUInt32LE(this.#pos);
    this.#pos += 4;
    return v;
  }

  u64(): number {
    this.#need(8);
    const v = this.#body.readBigUInt64LE(this.#pos);
    this.#pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`sequence number ${v} out of range`);
    return Number(v);
  }

  f64(): number {
    this.#need(8);
    const v = this.#body.readDoubleLE(this.#pos);
    this.#pos += 8;
    return v;
  }

  /** A view into the body: copy what must outlive it. */
  bytes(): Buffer {
    const n = this.u32();
    this.#need(n);
    const v = this.#body.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }

  str(): string {
    return this.bytes().toString('utf8');
  }

  /** @throws Error when bytes are left over (the record is not what its op says). */
  end(what: string): void {
    if (this.#pos !== this.#body.length) throw new Error(`${this.#body.length - this.#pos} bytes left over after a ${what} record`);
  }
}

/** Bytes an item takes inside a set record: what compaction would write for it. */
export function itemSize(keyBytes: number, valueBytes: number): number {
  return 4 + keyBytes + 8 + 4 + valueBytes;
}

/**
 * Encodes one kv record, length and CRC included.
 *
 * @throws RangeError when the body would exceed 4 GiB (the caller maps it to RR_ERR_BOLTDB_TOO_LARGE).
 */
export function encodeRecord(record: LogRecord): Buffer {
  let body = 1;
  switch (record.op) {
    case 'set':
      body += 4;
      for (const item of record.items) body += itemSize(Buffer.byteLength(item.key), item.value.byteLength);
      break;
    case 'delete':
      body += 4;
      for (const key of record.keys) body += strSize(key);
      break;
    case 'expire':
      body += 4;
      for (const item of record.items) body += strSize(item.key) + 8;
      break;
    case 'clear':
      break;
  }
  const w = new RecordWriter(body);
  switch (record.op) {
    case 'set':
      w.u8(OP_SET);
      w.u32(record.items.length);
      for (const item of record.items) {
        w.str(item.key);
        // 0 means "no deadline": a deadline at or before the epoch (long past either way) is kept past as -1.
        w.f64(item.expiresAt === undefined ? 0 : item.expiresAt <= 0 ? -1 : item.expiresAt);
        w.bytes(item.value);
      }
      break;
    case 'delete':
      w.u8(OP_DELETE);
      w.u32(record.keys.length);
      for (const k of record.keys) w.str(k);
      break;
    case 'expire':
      w.u8(OP_EXPIRE);
      w.u32(record.items.length);
      for (const item of record.items) {
        w.str(item.key);
        w.f64(item.expiresAt);
      }
      break;
    case 'clear':
      w.u8(OP_CLEAR);
      break;
  }
  return w.seal();
}

/** The outcome of looking at the bytes at one offset of the log. */
export type Frame =
  /** A whole record whose CRC matches: `body` is a view into the given bytes. */
  | { kind: 'record'; body: Buffer; size: number }
  /** Not enough bytes for the length, or for the length it announces. */
  | { kind: 'short'; need: number }
  | { kind: 'bad-crc' };

/** Frames the record at `pos` of `bytes`, without decoding its body. */
export function frameAt(bytes: Buffer, pos: number): Frame {
  if (bytes.length - pos < 4) return { kind: 'short', need: 4 };
  const body = bytes.readUInt32LE(pos);
  const size = body + RECORD_OVERHEAD;
  if (bytes.length - pos < size) return { kind: 'short', need: size };
  const end = pos + 4 + body;
  if (body === 0 || crc32(bytes.subarray(pos, end)) !== bytes.readUInt32LE(end)) return { kind: 'bad-crc' };
  return { kind: 'record', body: bytes.subarray(pos + 4, end), size };
}

/** The body of an encoded record (a view). */
export const bodyOf = (record: Buffer): Buffer => record.subarray(4, record.length - 4);

/**
 * Decodes a kv body that passed its CRC. Values are views into `body`: copy what must outlive it.
 *
 * @throws Error when a body with a valid CRC does not decode (a bug, or a format this build does not know).
 */
export function decodeBody(body: Buffer): LogRecord {
  const r = new BodyReader(body);
  const deadline = () => {
    const at = r.f64();
    return at === 0 ? undefined : at;
  };

  let record: LogRecord;
  const op = r.op;
  switch (op) {
    case OP_SET: {
      const count = r.u32();
      const items: SetItem[] = [];
      for (let i = 0; i < count; i++) {
        const key = r.str();
        const expiresAt = deadline();
        items.push({ key, expiresAt, value: r.bytes() });
      }
      record = { op: 'set', items };
      break;
    }
    case OP_DELETE: {
      const count = r.u32();
      const keys: string[] = [];
      for (let i = 0; i < count; i++) keys.push(r.str());
      record = { op: 'delete', keys };
      break;
    }
    case OP_EXPIRE: {
      const count = r.u32();
      const items: { key: string; expiresAt: number }[] = [];
      for (let i = 0; i < count; i++) items.push({ key: r.str(), expiresAt: r.f64() });
      record = { op: 'expire', items };
      break;
    }
    case OP_CLEAR:
      record = { op: 'clear' };
      break;
    default:
      throw new Error(`unknown op ${String(op)}`);
  }
  r.end(record.op);
  return record;
}
