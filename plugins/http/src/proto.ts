/**
 * Hand-written protobuf for the two messages of roadrunner-server/api `http/v1` that cross the worker
 * relay (PROTOCOL §4.3): `Request` is encoded, `Response` decoded. Proto3 rules: empty strings, false
 * and empty maps are omitted; unknown fields are skipped when decoding.
 */

/** What `http.v1.Request` carries; maps are name → values (HeaderValue.value). */
export interface ProtoRequest {
  remoteAddr: string;
  protocol: string;
  method: string;
  uri: string;
  headers: Record<string, readonly string[]>;
  cookies: Record<string, string>;
  rawQuery: string;
  parsed: boolean;
  /** JSON text of the uploads tree; empty without multipart. */
  uploads: string;
  attributes: Record<string, unknown>;
}

const varintSize = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

class Writer {
  readonly buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }
  bytes(field: number, text: string, len: number): void {
    this.buf[this.pos++] = (field << 3) | 2;
    this.varint(len);
    this.pos += this.buf.write(text, this.pos, len, 'utf8');
  }
}

const strField = (len: number): number => 1 + varintSize(len) + len;

interface MapEntry {
  key: string;
  keyLen: number;
  values: string[];
  valueLens: number[];
  /** Length of HeaderValue. */
  hvLen: number;
  /** Length of the map entry message. */
  entryLen: number;
}

function mapEntries(map: Record<string, readonly unknown[] | unknown>): MapEntry[] {
  const out: MapEntry[] = [];
  for (const key in map) {
    const raw = map[key];
    const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
    const keyLen = Buffer.byteLength(key);
    const valueLens = values.map((v) => Buffer.byteLength(v));
    const hvLen = valueLens.reduce((s, l) => s + strField(l), 0);
    const entryLen = (keyLen > 0 ? strField(keyLen) : 0) + strField(hvLen);
    out.push({ key, keyLen, values, valueLens, hvLen, entryLen });
  }
  return out;
}

function writeMap(w: Writer, field: number, entries: MapEntry[]): void {
  for (const e of entries) {
    w.buf[w.pos++] = (field << 3) | 2;
    w.varint(e.entryLen);
    if (e.keyLen > 0) w.bytes(1, e.key, e.keyLen);
    w.buf[w.pos++] = (2 << 3) | 2;
    w.varint(e.hvLen);
    for (let i = 0; i < e.values.length; i++) w.bytes(1, e.values[i] as string, e.valueLens[i] as number);
  }
}

/** Encodes `http.v1.Request` into one exactly sized Buffer. */
export function encodeProtoRequest(r: ProtoRequest): Buffer {
  const strings: [number, string][] = [
    [1, r.remoteAddr],
    [2, r.protocol],
    [3, r.method],
    [4, r.uri],
  ];
  const lens = strings.map(([, s]) => Buffer.byteLength(s));
  const headers = mapEntries(r.headers);
  const cookies = mapEntries(r.cookies);
  const attributes = mapEntries(r.attributes);
  const rawQueryLen = Buffer.byteLength(r.rawQuery);
  const uploadsLen = Buffer.byteLength(r.uploads);
  const mapSize = (es: MapEntry[]) => es.reduce((s, e) => s + strField(e.entryLen), 0);
  let size = lens.reduce((s, l) => s + (l > 0 ? strField(l) : 0), 0);
  size += mapSize(headers) + mapSize(cookies) + mapSize(attributes);
  size += (rawQueryLen > 0 ? strField(rawQueryLen) : 0) + (r.parsed ? 2 : 0) + (uploadsLen > 0 ? strField(uploadsLen) : 0);
  const w = new Writer(size);
  strings.forEach(([field, s], i) => {
    if ((lens[i] as number) > 0) w.bytes(field, s, lens[i] as number);
  });
  writeMap(w, 5, headers);
  writeMap(w, 6, cookies);
  if (rawQueryLen > 0) w.bytes(7, r.rawQuery, rawQueryLen);
  if (r.parsed) {
    w.buf[w.pos++] = 8 << 3;
    w.buf[w.pos++] = 1;
  }
  if (uploadsLen > 0) w.bytes(9, r.uploads, uploadsLen);
  writeMap(w, 10, attributes);
  return w.buf;
}

/** A decoded response context. */
export interface ResponseContext {
  status: number;
  headers: Record<string, string[]>;
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++] as number;
      if (shift < 49) result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.pos += this.varint();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
    if (this.pos > this.end) throw new Error('truncated field');
  }
  sub(): Reader {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) throw new Error('truncated message');
    const r = new Reader(this.buf, this.pos, end);
    this.pos = end;
    return r;
  }
  string(): string {
    const r = this.sub();
    return r.buf.toString('utf8', r.pos, r.end);
  }
}

/**
 * Decodes `http.v1.Response { int64 status = 1; map<string, HeaderValue> headers = 2; }`.
 *
 * @throws Error on malformed bytes (the caller turns it into RR_ERR_HTTP_BAD_RESPONSE).
 */
export function decodeProtoResponse(buf: Buffer): ResponseContext {
  const r = new Reader(buf);
  let status = 0;
  const headers = Object.create(null) as Record<string, string[]>;
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 1 && wire === 0) {
      // int64: negative values arrive as 10-byte two's complement; anything huge is just invalid.
      status = r.varint();
    } else if (field === 2 && wire === 2) {
      const entry = r.sub();
      let key = '';
      const values: string[] = [];
      while (entry.pos < entry.end) {
        const t = entry.varint();
        if (t === ((1 << 3) | 2)) key = entry.string();
        else if (t === ((2 << 3) | 2)) {
          const hv = entry.sub();
          while (hv.pos < hv.end) {
            const ht = hv.varint();
            if (ht === ((1 << 3) | 2)) values.push(hv.string());
            else hv.skip(ht & 7);
          }
        } else entry.skip(t & 7);
      }
      const list = headers[key];
      if (list === undefined) headers[key] = values;
      else list.push(...values);
    } else {
      r.skip(wire);
    }
  }
  return { status, headers };
}

/** Encodes `http.v1.Response` (tests and tooling; the server only decodes it). */
export function encodeProtoResponse(status: number, headers: Record<string, readonly string[]>): Buffer {
  const entries = mapEntries(headers);
  const size = (status > 0 ? 1 + varintSize(status) : 0) + entries.reduce((s, e) => s + strField(e.entryLen), 0);
  const w = new Writer(size);
  if (status > 0) {
    w.buf[w.pos++] = 1 << 3;
    w.varint(status);
  }
  writeMap(w, 2, entries);
  return w.buf;
}
