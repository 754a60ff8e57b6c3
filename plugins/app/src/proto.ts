// applogger.v1 messages, encoded by hand (varints and length-delimited fields only).

/** One `LogAttrs { string key = 1; string value = 2; }`. */
export interface LogAttr {
  key: string;
  value: string;
}

/** `LogEntry { string message = 1; repeated LogAttrs attributes = 2; }`. */
export interface LogEntry {
  message: string;
  attributes: LogAttr[];
}

type Field = { no: number; wire: 0; value: bigint } | { no: number; wire: 2; value: Buffer };

/** Reads every field; fixed32/fixed64 are skipped. @throws Error with the reason when malformed. */
function readFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (pos >= buf.length) throw new Error('truncated varint');
      const byte = buf[pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new Error('varint longer than 10 bytes');
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new Error('field number 0');
    if (wire === 0) fields.push({ no, wire, value: varint() });
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ no, wire, value: buf.subarray(pos, pos + len) });
      pos += len;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) throw new Error('truncated fixed-width field');
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return fields;
}

function text(field: Field, what: string): string {
  if (field.wire !== 2) throw new Error(`${what} is not a length-delimited field`);
  return field.value.toString('utf8');
}

/** Decodes a `LogEntry`; unknown fields are skipped. @throws Error with the reason when malformed. */
export function decodeLogEntry(buf: Buffer): LogEntry {
  const entry: LogEntry = { message: '', attributes: [] };
  for (const f of readFields(buf)) {
    if (f.no === 1) entry.message = text(f, 'field 1 (message)');
    else if (f.no === 2) {
      if (f.wire !== 2) throw new Error('field 2 (attributes) is not a length-delimited field');
      const attr: LogAttr = { key: '', value: '' };
      for (const a of readFields(f.value)) {
        if (a.no === 1) attr.key = text(a, 'LogAttrs field 1 (key)');
        else if (a.no === 2) attr.value = text(a, 'LogAttrs field 2 (value)');
      }
      entry.attributes.push(attr);
    }
  }
  return entry;
}

function varintBytes(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function stringField(no: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([Buffer.from([(no << 3) | 2, ...varintBytes(bytes.length)]), bytes]);
}

/** Encodes a `LogEntry` as protoc does (clients and tests); empty strings are left out, as proto3 does. */
export function encodeLogEntry(entry: LogEntry): Buffer {
  const parts: Buffer[] = [];
  if (entry.message !== '') parts.push(stringField(1, entry.message));
  for (const attr of entry.attributes) {
    const inner = Buffer.concat([attr.key === '' ? Buffer.alloc(0) : stringField(1, attr.key), attr.value === '' ? Buffer.alloc(0) : stringField(2, attr.value)]);
    parts.push(stringField(2, inner));
  }
  return Buffer.concat(parts);
}
