// The two tiny messages of status.v1, encoded by hand (varints and length-delimited fields only).

/** A field as read off the wire: a varint (as bigint) or the bytes of a length-delimited field. */
type Field = { no: number; wire: 0; value: bigint } | { no: number; wire: 2; value: Buffer };

/** Reads every field; fixed32/fixed64 are skipped. @throws Error with the reason when malformed. */
export function readFields(buf: Buffer): Field[] {
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

function varintBytes(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** `status.v1.Request { string plugin = 1; }` → the plugin name ("" when absent). */
export function decodeRequest(buf: Buffer): string {
  let plugin = '';
  for (const f of readFields(buf)) {
    if (f.no !== 1) continue;
    if (f.wire !== 2) throw new Error('field 1 (plugin) is not a string');
    plugin = f.value.toString('utf8');
  }
  return plugin;
}

/** `status.v1.Request` bytes (clients and tests). */
export function encodeRequest(plugin: string): Buffer {
  const bytes = Buffer.from(plugin, 'utf8');
  return bytes.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, ...varintBytes(BigInt(bytes.length))]), bytes]);
}

/** `status.v1.Response { int64 code = 1; string message = 2; }`; zero values are left out, as proto3 does. */
export function encodeResponse(code: number, message: string): Buffer {
  const parts: Buffer[] = [];
  if (code !== 0) parts.push(Buffer.from([0x08, ...varintBytes(BigInt(code))]));
  const text = Buffer.from(message, 'utf8');
  if (text.length > 0) parts.push(Buffer.from([0x12, ...varintBytes(BigInt(text.length))]), text);
  return Buffer.concat(parts);
}

/** Decodes a `status.v1.Response` (clients and tests). */
export function decodeResponse(buf: Buffer): { code: number; message: string } {
  let code = 0;
  let message = '';
  for (const f of readFields(buf)) {
    if (f.no === 1 && f.wire === 0) code = Number(BigInt.asIntN(64, f.value));
    if (f.no === 2 && f.wire === 2) message = f.value.toString('utf8');
  }
  return { code, message };
}
