import { crc32 } from 'node:zlib';

/**
 * The file format (README "File format"): a 16-byte header, then records appended one after another.
 *
 * header: magic `89 52 52 4b 56 0d 0a 1a` ("\x89RRKV\r\n\x1a"), u32 LE version, u32 LE CRC-32 of the
 * first 12 bytes. The magic's high first byte and CR LF / ^Z catch files mangled by text-mode transfers,
 * as PNG's does; a bbolt file starts with its page id (zeros), so it can never match.
 *
 * record: u32 LE body length N, N bytes of body, u32 LE CRC-32 of the length and the body. The body is
 * one op byte and its operands (u32 LE lengths, f64 LE deadlines in ms since the epoch, 0 = none):
 * - 1 set:    u32 count, then count × (u32 key length, key UTF-8, f64 deadline, u32 value length, value)
 * - 2 delete: u32 count, then count × (u32 key length, key UTF-8)
 * - 3 expire: u32 count, then count × (u32 key length, key UTF-8, f64 deadline)
 * - 4 clear:  nothing
 * One RPC call is one record, so a batch is applied whole or (torn by a crash) not at all.
 */
const MAGIC = Buffer.from([0x89, 0x52, 0x52, 0x4b, 0x56, 0x0d, 0x0a, 0x1a]);
const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
/** Length and CRC around a body. */
const RECORD_OVERHEAD = 8;
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

/** One logged operation. */
export type LogRecord =
  | { op: 'set'; items: readonly SetItem[] }
  | { op: 'delete'; keys: readonly string[] }
  | { op: 'expire'; items: readonly { key: string; expiresAt: number }[] }
  | { op: 'clear' };

export function encodeHeader(version = FORMAT_VERSION): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  MAGIC.copy(header, 0);
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
  | { kind: 'foreign' }
  | { kind: 'version'; version: number };

/** Reads the header from the file's first `HEADER_SIZE` bytes (fewer when the file is shorter). */
export function checkHeader(bytes: Buffer): HeaderCheck {
  if (bytes.length === 0) return { kind: 'empty' };
  const expected = encodeHeader();
  if (bytes.length < HEADER_SIZE) return expected.subarray(0, bytes.length).equals(bytes) ? { kind: 'torn' } : { kind: 'foreign' };
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) return { kind: 'foreign' };
  if (bytes.readUInt32LE(12) !== crc32(bytes.subarray(0, 12))) return { kind: 'foreign' };
  const version = bytes.readUInt32LE(8);
  return version === FORMAT_VERSION ? { kind: 'ours' } : { kind: 'version', version };
}

/** Bytes an item takes inside a set record: what compaction would write for it. */
export function itemSize(keyBytes: number, valueBytes: number): number {
  return 4 + keyBytes + 8 + 4 + valueBytes;
}

/**
 * Encodes one record, length and CRC included.
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
      for (const key of record.keys) body += 4 + Buffer.byteLength(key);
      break;
    case 'expire':
      body += 4;
      for (const item of record.items) body += 4 + Buffer.byteLength(item.key) + 8;
      break;
    case 'clear':
      break;
  }
  if (body > MAX_BODY) throw new RangeError(`record body of ${body} bytes exceeds ${MAX_BODY}`);
  const buf = Buffer.allocUnsafe(body + RECORD_OVERHEAD);
  let pos = buf.writeUInt32LE(body, 0);
  const key = (k: string) => {
    const len = buf.write(k, pos + 4, 'utf8');
    buf.writeUInt32LE(len, pos);
    pos += 4 + len;
  };
  switch (record.op) {
    case 'set':
      pos = buf.writeUInt8(OP_SET, pos);
      pos = buf.writeUInt32LE(record.items.length, pos);
      for (const item of record.items) {
        key(item.key);
        // 0 means "no deadline": a deadline at or before the epoch (long past either way) is kept past as -1.
        pos = buf.writeDoubleLE(item.expiresAt === undefined ? 0 : item.expiresAt <= 0 ? -1 : item.expiresAt, pos);
        pos = buf.writeUInt32LE(item.value.byteLength, pos);
        buf.set(item.value, pos);
        pos += item.value.byteLength;
      }
      break;
    case 'delete':
      pos = buf.writeUInt8(OP_DELETE, pos);
      pos = buf.writeUInt32LE(record.keys.length, pos);
      for (const k of record.keys) key(k);
      break;
    case 'expire':
      pos = buf.writeUInt8(OP_EXPIRE, pos);
      pos = buf.writeUInt32LE(record.items.length, pos);
      for (const item of record.items) {
        key(item.key);
        pos = buf.writeDoubleLE(item.expiresAt, pos);
      }
      break;
    case 'clear':
      pos = buf.writeUInt8(OP_CLEAR, pos);
      break;
  }
  buf.writeUInt32LE(crc32(buf.subarray(0, pos)), pos);
  return buf;
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

/**
 * Decodes a body that passed its CRC. Values are views into `body`: copy what must outlive it.
 *
 * @throws Error when a body with a valid CRC does not decode (a bug, or a format this build does not know).
 */
export function decodeBody(body: Buffer): LogRecord {
  let pos = 1;
  const need = (n: number) => {
    if (pos + n > body.length) throw new Error(`operand runs past the end of a ${body.length}-byte record`);
  };
  const u32 = () => {
    need(4);
    const v = body.readUInt32LE(pos);
    pos += 4;
    return v;
  };
  const f64 = () => {
    need(8);
    const v = body.readDoubleLE(pos);
    pos += 8;
    return v;
  };
  const bytes = (n: number) => {
    need(n);
    const v = body.subarray(pos, pos + n);
    pos += n;
    return v;
  };
  const key = () => bytes(u32()).toString('utf8');
  const deadline = () => {
    const at = f64();
    return at === 0 ? undefined : at;
  };

  let record: LogRecord;
  const op = body[0];
  switch (op) {
    case OP_SET: {
      const count = u32();
      const items: SetItem[] = [];
      for (let i = 0; i < count; i++) {
        const k = key();
        const expiresAt = deadline();
        items.push({ key: k, expiresAt, value: bytes(u32()) });
      }
      record = { op: 'set', items };
      break;
    }
    case OP_DELETE: {
      const count = u32();
      const keys: string[] = [];
      for (let i = 0; i < count; i++) keys.push(key());
      record = { op: 'delete', keys };
      break;
    }
    case OP_EXPIRE: {
      const count = u32();
      const items: { key: string; expiresAt: number }[] = [];
      for (let i = 0; i < count; i++) items.push({ key: key(), expiresAt: f64() });
      record = { op: 'expire', items };
      break;
    }
    case OP_CLEAR:
      record = { op: 'clear' };
      break;
    default:
      throw new Error(`unknown op ${String(op)}`);
  }
  if (pos !== body.length) throw new Error(`${body.length - pos} bytes left over after a ${record.op} record`);
  return record;
}
