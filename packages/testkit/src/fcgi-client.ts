import { connect, type Socket } from 'node:net';

/**
 * A small FastCGI 1.0 client for tests, written from the spec independently of the http plugin's src/fcgi-record.ts, so
 * the two check each other: record encoding, name-value pairs, a connection that collects records and
 * a request helper that parses the CGI response.
 */

export const T = {
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

export const RESPONDER = 1;
export const AUTHORIZER = 2;

/** One record, as received. */
export interface Rec {
  version: number;
  type: number;
  id: number;
  content: Buffer;
  /** performance.now() when it was parsed. */
  at: number;
}

/** A record's bytes (padding to 8 unless told otherwise). */
export function record(type: number, id: number, content: Buffer | string = Buffer.alloc(0), options: { version?: number; padding?: number } = {}): Buffer {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  const padding = options.padding ?? (8 - (body.length % 8)) % 8;
  const header = Buffer.alloc(8);
  header[0] = options.version ?? 1;
  header[1] = type;
  header.writeUInt16BE(id, 2);
  header.writeUInt16BE(body.length, 4);
  header[6] = padding;
  return Buffer.concat([header, body, Buffer.alloc(padding)]);
}

const len = (n: number): Buffer => {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n + 0x80000000);
  return b;
};

/** Name-value pairs (1-byte lengths below 128, else 4 bytes). */
export function pairs(list: Record<string, string> | [string, string][]): Buffer {
  const entries = Array.isArray(list) ? list : Object.entries(list);
  return Buffer.concat(entries.flatMap(([n, v]) => [len(Buffer.byteLength(n)), len(Buffer.byteLength(v)), Buffer.from(n), Buffer.from(v)]));
}

export function readPairs(data: Buffer): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const readLen = (): number => {
    const b = data[i] as number;
    if (b < 128) return (i++, b);
    const n = data.readUInt32BE(i) & 0x7fffffff;
    i += 4;
    return n;
  };
  while (i < data.length) {
    const n = readLen();
    const v = readLen();
    out.push([data.toString('latin1', i, i + n), data.toString('latin1', i + n, i + n + v)]);
    i += n + v;
  }
  return out;
}

export function beginRequest(id: number, options: { role?: number; keepConn?: boolean } = {}): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt16BE(options.role ?? RESPONDER, 0);
  body[2] = options.keepConn === true ? 1 : 0;
  return record(T.BEGIN_REQUEST, id, body);
}

/** A stream (PARAMS or STDIN): records of at most `size` bytes, then the empty record that ends it. */
export function stream(type: number, id: number, data: Buffer | string, size = 65_535): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(record(type, id, bytes.subarray(i, i + size)));
  out.push(record(type, id));
  return Buffer.concat(out);
}

/** CGI params as nginx's fastcgi_params would send them for `method uri`, plus `extra`. */
export function cgiParams(method: string, uri: string, extra: Record<string, string> = {}): Record<string, string> {
  const q = uri.indexOf('?');
  return {
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'nginx/1.24.0',
    QUERY_STRING: q < 0 ? '' : uri.slice(q + 1),
    REQUEST_METHOD: method,
    CONTENT_TYPE: '',
    CONTENT_LENGTH: '',
    SCRIPT_NAME: q < 0 ? uri : uri.slice(0, q),
    REQUEST_URI: uri,
    DOCUMENT_URI: q < 0 ? uri : uri.slice(0, q),
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    REMOTE_ADDR: '203.0.113.9',
    REMOTE_PORT: '51234',
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: '80',
    SERVER_NAME: 'example.test',
    HTTP_HOST: 'example.test',
    HTTP_USER_AGENT: 'fcgi-test',
    ...extra,
  };
}

/** A parsed CGI response of one request. */
export interface FcgiResponse {
  status: number;
  /** Lower-cased names, every line's value. */
  headers: Record<string, string[]>;
  /** The head's lines as sent (after the Status line too). */
  headLines: string[];
  body: Buffer;
  text: string;
  stderr: string;
  appStatus: number;
  protocolStatus: number;
  /** Every STDOUT record of the request, with its arrival time. */
  stdout: Rec[];
  ended: Rec;
}

export function parseCgi(raw: Buffer): { status: number; headers: Record<string, string[]>; headLines: string[]; body: Buffer } {
  const end = raw.indexOf('\r\n\r\n');
  const headLines = raw.toString('latin1', 0, end).split('\r\n');
  const headers: Record<string, string[]> = {};
  for (const line of headLines) {
    const c = line.indexOf(':');
    const name = line.slice(0, c).toLowerCase();
    (headers[name] ??= []).push(line.slice(c + 1).trim());
  }
  const status = Number((headers['status']?.[0] ?? '200').split(' ')[0]);
  return { status, headers, headLines, body: raw.subarray(end + 4) };
}

/** One connection to rr's FastCGI listener, collecting every record it receives. */
export class FcgiConnection {
  readonly records: Rec[] = [];
  readonly closed: Promise<void>;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];
  #isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      while (this.#buffer.length >= 8) {
        const length = this.#buffer.readUInt16BE(4);
        const total = 8 + length + (this.#buffer[6] as number);
        if (this.#buffer.length < total) break;
        this.records.push({
          version: this.#buffer[0] as number,
          type: this.#buffer[1] as number,
          id: this.#buffer.readUInt16BE(2),
          content: Buffer.from(this.#buffer.subarray(8, 8 + length)),
          at: performance.now(),
        });
        this.#buffer = this.#buffer.subarray(total);
      }
      this.#wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.#isClosed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  /** Connects to `host:port` (a TCP address as rr logs it) or a unix socket path. */
  static open(target: { port: number } | { path: string }): Promise<FcgiConnection> {
    return new Promise((resolve, reject) => {
      const socket = 'port' in target ? connect(target.port, '127.0.0.1') : connect(target.path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new FcgiConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  write(data: Buffer | Buffer[]): void {
    this.socket.write(Array.isArray(data) ? Buffer.concat(data) : data);
  }

  /** Resolves with the first record (from `from` on) that matches; rejects when the connection closes first. */
  async waitFor(match: (r: Rec) => boolean, from = 0, timeoutMs = 10_000): Promise<Rec> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.records.slice(from).find(match);
      if (found !== undefined) return found;
      if (this.#isClosed) throw new Error('connection closed before the record arrived');
      if (performance.now() > deadline) throw new Error('timed out waiting for a record');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends BEGIN_REQUEST, PARAMS and STDIN for `id`, and collects its response up to END_REQUEST. */
  async request(id: number, params: Record<string, string>, body: Buffer | string = '', options: { keepConn?: boolean } = {}): Promise<FcgiResponse> {
    const from = this.records.length;
    this.write([beginRequest(id, { keepConn: options.keepConn ?? true }), stream(T.PARAMS, id, pairs(params)), stream(T.STDIN, id, body)]);
    return this.response(id, from);
  }

  /** The response of `id` (records from index `from` on), once its END_REQUEST arrived. */
  async response(id: number, from = 0): Promise<FcgiResponse> {
    const ended = await this.waitFor((r) => r.type === T.END_REQUEST && r.id === id, from);
    const mine = this.records.slice(from, this.records.indexOf(ended));
    const stdout = mine.filter((r) => r.type === T.STDOUT && r.id === id);
    const stderr = Buffer.concat(mine.filter((r) => r.type === T.STDERR && r.id === id).map((r) => r.content)).toString();
    const raw = Buffer.concat(stdout.map((r) => r.content));
    const cgi = raw.length === 0 ? { status: 0, headers: {}, headLines: [], body: raw } : parseCgi(raw);
    return {
      ...cgi,
      text: cgi.body.toString(),
      stderr,
      appStatus: ended.content.readUInt32BE(0),
      protocolStatus: ended.content[4] as number,
      stdout,
      ended,
    };
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/** One request on its own connection (no KEEP_CONN: rr closes it after the answer). */
export async function fcgiRequest(target: { port: number } | { path: string }, params: Record<string, string>, body: Buffer | string = ''): Promise<FcgiResponse> {
  const conn = await FcgiConnection.open(target);
  try {
    return await conn.request(1, params, body, { keepConn: false });
  } finally {
    conn.close();
  }
}
