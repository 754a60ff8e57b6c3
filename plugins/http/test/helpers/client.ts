import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect as http2Connect, type ClientHttp2Session, type SecureClientSessionOptions } from 'node:http2';
import { connect } from 'node:net';

/** A response read whole by {@link send}. */
export interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  trailers: Record<string, string | undefined>;
  body: Buffer;
  text: string;
  /** 1xx interim responses seen before the final one. */
  informational: { status: number; headers: Record<string, string | string[] | undefined> }[];
}

/** One request through node:http (no keep-alive), collecting interim responses and trailers. */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const informational: Sent['informational'] = [];
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          trailers: res.trailers,
          body,
          text: body.toString(),
          informational,
        });
      });
      res.on('error', reject);
    });
    req.on('information', (info) => informational.push({ status: info.statusCode, headers: info.headers }));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes to the server and resolves with everything it answers until it closes. */
export function rawRequest(port: number, text: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.write(text);
  });
}

/** Splits a raw HTTP/1.1 response into status, header lines and body (no chunked decoding). */
export function parseRaw(raw: string): { status: number; headerLines: string[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = raw.slice(0, end).split('\r\n');
  return { status: Number(statusLine?.split(' ')[1]), headerLines, body: raw.slice(end + 4) };
}

/** Multipart body builder. */
export function multipart(parts: ({ name: string; value: string } | { name: string; filename: string; type?: string; content: string | Buffer })[]): {
  body: Buffer;
  contentType: string;
} {
  const boundary = '----rrtest' + Math.random().toString(16).slice(2);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('filename' in p) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
            (p.type === undefined ? '' : `Content-Type: ${p.type}\r\n`) +
            '\r\n',
        ),
      );
      chunks.push(Buffer.isBuffer(p.content) ? p.content : Buffer.from(p.content));
      chunks.push(Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A response read whole over HTTP/2. */
export interface H2Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  trailers: Record<string, string | string[] | undefined>;
  body: Buffer;
  text: string;
  /** 1xx HEADERS frames seen before the final one. */
  informational: Record<string, string | string[] | number | undefined>[];
}

/** One request on an HTTP/2 session (node:http2), collecting interim headers and trailers. */
export function h2send(
  session: ClientHttp2Session,
  path: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer } = {},
): Promise<H2Sent> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': options.method ?? 'GET', ':path': path, ...options.headers });
    const informational: H2Sent['informational'] = [];
    let head: Record<string, string | string[] | undefined> = {};
    let trailers: H2Sent['trailers'] = {};
    const chunks: Buffer[] = [];
    stream.on('headers', (h) => informational.push({ ...h }));
    stream.on('response', (h) => (head = { ...h } as Record<string, string | string[] | undefined>));
    stream.on('trailers', (t) => (trailers = { ...t }));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      resolve({ status: Number(head[':status']), headers: head, trailers, body, text: body.toString(), informational });
    });
    stream.on('error', reject);
    stream.end(options.body);
  });
}

/** An HTTP/2 session (`https://` over TLS with ALPN h2, `http://` as h2c with prior knowledge), once connected. */
export function h2connect(url: string, options: SecureClientSessionOptions = {}): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(url, options);
    session.once('connect', () => {
      session.off('error', reject);
      resolve(session);
    });
    session.once('error', reject);
  });
}
