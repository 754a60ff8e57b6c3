import { ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { Payload } from '@rr/contracts';
import { httpErrors } from './errors.js';
import { decodeProtoResponse, type ResponseContext } from './proto.js';

/** Frame codec of a protobuf context (PROTOCOL §1.2). */
export const CODEC_PROTO = 0x80;

/**
 * Decodes a worker's response context: codec 0x80 → `http.v1.Response`, anything else → JSON
 * `{"status":…,"headers":{…}}` (roadrunner-http ≤ 3.4 sends codec 0, ≥ 3.5 sends 0x08).
 *
 * @returns `undefined` for an empty context (RoadRunner then only writes the body).
 * @throws RR_ERR_HTTP_BAD_RESPONSE on malformed bytes.
 */
export function decodeResponseContext(payload: Payload): ResponseContext | undefined {
  const context = payload.context;
  if (context.length === 0) return undefined;
  // Applications answer most requests with the same few status/header sets: remember the decoded
  // form of short contexts instead of parsing them again (the result is never mutated).
  if (context.length > CACHEABLE_CONTEXT) return decodeContext(payload);
  const key = `${payload.codec === CODEC_PROTO ? 'p' : 'j'}${context.toString('latin1')}`;
  let decoded = contextCache.get(key);
  if (decoded === undefined) {
    decoded = decodeContext(payload);
    if (contextCache.size >= CONTEXT_CACHE_SIZE) contextCache.clear();
    contextCache.set(key, decoded);
  }
  return decoded;
}

const CACHEABLE_CONTEXT = 512;
const CONTEXT_CACHE_SIZE = 256;
const contextCache = new Map<string, ResponseContext>();

function decodeContext(payload: Payload): ResponseContext {
  const context = payload.context;
  try {
    if (payload.codec === CODEC_PROTO) return decodeProtoResponse(context);
    const parsed = JSON.parse(context.toString('utf8')) as { status?: unknown; headers?: unknown } | null;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    const status = typeof parsed.status === 'number' ? parsed.status : 0;
    const raw = parsed.headers;
    // PHP's json_encode writes an empty header list as [] (old SDKs) or {}.
    const headers = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, string[]>;
    return { status, headers };
  } catch (err) {
    throw httpErrors.BAD_RESPONSE(err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** Response headers prepared for `writeHead`, plus what the writer must know about them. */
export interface PreparedHeaders {
  /** Flat `[name, value, name, value…]`: repeated names become repeated lines (several Set-Cookie). */
  flat: string[];
  hasContentType: boolean;
  /** The worker set Content-Length or Transfer-Encoding itself. */
  hasLength: boolean;
  /** Headers moved to trailers because `Trailer` named them. */
  trailers: Record<string, string> | undefined;
}

const valuesOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * Flattens the worker's headers. A `Trailer` header turns the headers it names into trailers (sent
 * after a chunked body), as RoadRunner does; `Trailer` itself is kept so clients know to expect them.
 */
export function prepareHeaders(headers: Record<string, unknown>): PreparedHeaders {
  const flat: string[] = [];
  let hasContentType = false;
  let hasLength = false;
  let trailerNames: Set<string> | undefined;
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === 'content-type') hasContentType = true;
    else if (lower === 'content-length' || lower === 'transfer-encoding') hasLength = true;
    else if (lower === 'trailer') {
      trailerNames ??= new Set();
      for (const v of valuesOf(headers[name])) for (const t of String(v).split(',')) if (t.trim() !== '') trailerNames.add(t.trim().toLowerCase());
    }
    for (const v of valuesOf(headers[name])) flat.push(name, String(v));
  }
  if (trailerNames === undefined) return { flat, hasContentType, hasLength, trailers: undefined };
  const kept: string[] = [];
  const trailers: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] as string;
    if (trailerNames.has(name.toLowerCase())) trailers[name] = trailers[name] === undefined ? (flat[i + 1] as string) : `${trailers[name]}, ${flat[i + 1]}`;
    else kept.push(name, flat[i + 1] as string);
  }
  return { flat: kept, hasContentType, hasLength, trailers };
}

/**
 * `writeHead` that survives invalid names or values from the worker (CR/LF, non-token names): the
 * offending lines are dropped and reported instead of failing the whole response.
 *
 * @returns the dropped header names.
 */
export function writeHeadSafe(res: ServerResponse, status: number, flat: string[]): string[] {
  try {
    writeHeadFlat(res, status, flat);
    return [];
  } catch {
    const kept: string[] = [];
    const dropped: string[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      try {
        validateHeaderName(flat[i] as string);
        validateHeaderValue(flat[i] as string, flat[i + 1] as string);
        kept.push(flat[i] as string, flat[i + 1] as string);
      } catch {
        dropped.push(flat[i] as string);
      }
    }
    // writeHead may have stored some lines before it threw (always with HTTP/2, and on HTTP/1 when
    // headers were set before): start again from none of the worker's names.
    for (let i = 0; i < flat.length; i += 2) res.removeHeader(flat[i] as string);
    writeHeadFlat(res, status, kept);
    return dropped;
  }
}

/**
 * `res.writeHead(status, flat)`, keeping repeated names when a middleware already set headers: Node
 * 20's HTTP/1 response then stores the list pair by pair with setHeader, so of several Set-Cookie
 * lines only the last would survive. The worker's names replace the middleware's, as writeHead
 * intends, and each of its lines is appended. (HTTP/2 compat responses keep repeated names already.)
 */
function writeHeadFlat(res: ServerResponse, status: number, flat: string[]): void {
  if (!(res instanceof ServerResponse) || flat.length === 0 || res.getHeaderNames().length === 0) {
    res.writeHead(status, flat);
    return;
  }
  for (let i = 0; i < flat.length; i += 2) res.removeHeader(flat[i] as string);
  for (let i = 0; i < flat.length; i += 2) res.appendHeader(flat[i] as string, flat[i + 1] as string);
  res.writeHead(status);
}

interface RawWriter {
  _writeRaw?(data: string, encoding: BufferEncoding, cb?: () => void): boolean;
}

/**
 * Sends a 1xx interim response. 103 with a Link header goes through `writeEarlyHints` (HTTP/1 and
 * HTTP/2); other 1xx (and a 103 whose Link Node refuses) are written raw before the final head, or on
 * HTTP/2 (`h2`) as an extra HEADERS frame. 101 is ignored: a worker cannot switch protocols
 * (RoadRunner v6 behaviour).
 */
export function writeInterim(res: ServerResponse, status: number, headers: Record<string, unknown>, h2 = false): void {
  if (status === 101 || res.headersSent || res.destroyed) return;
  if (status === 103) {
    const hints: Record<string, string | string[]> = {};
    let link: string[] | undefined;
    for (const name in headers) {
      const values = valuesOf(headers[name]).map(String);
      if (name.toLowerCase() === 'link') link = [...(link ?? []), ...values];
      else hints[name] = values.join(', ');
    }
    if (link !== undefined && link.length > 0) {
      try {
        res.writeEarlyHints({ ...hints, link });
        return;
      } catch {
        // Node validates Link strictly; fall back to the raw interim response.
      }
    }
  }
  if (h2) {
    writeInterimH2(res as unknown as Http2ServerResponse, status, headers);
    return;
  }
  let head = `HTTP/1.1 ${status} ${STATUS_1XX[status] ?? 'Informational'}\r\n`;
  for (const name in headers) {
    for (const v of valuesOf(headers[name])) {
      const value = String(v);
      if (!/[\r\n]/.test(name) && !/[\r\n]/.test(value)) head += `${name}: ${value}\r\n`;
    }
  }
  head += '\r\n';
  // Node's own interim responses (writeContinue, writeProcessing) go through _writeRaw, which keeps
  // pipelined responses in order; fall back to the socket if a future Node drops it.
  const raw = res as unknown as RawWriter;
  if (typeof raw._writeRaw === 'function') raw._writeRaw(head, 'latin1');
  else res.socket?.write(head, 'latin1');
}

/** An HTTP/2 interim response is a HEADERS frame with a 1xx :status before the final one. */
function writeInterimH2(res: Http2ServerResponse, status: number, headers: Record<string, unknown>): void {
  const out: Record<string, string | string[] | number> = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (H2_CONNECTION_HEADERS.has(lower)) continue;
    const values = valuesOf(headers[name]).map(String);
    if (values.some((v) => /[\r\n]/.test(v))) continue;
    out[lower] = values;
  }
  out[':status'] = status;
  try {
    res.stream.additionalHeaders(out);
  } catch {
    // A name HTTP/2 refuses: the interim response is only a hint, the final one still goes out.
  }
}

/** Connection-specific header fields HTTP/2 forbids (RFC 9113 §8.2.2); Go's server drops them too. */
export const H2_CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

const STATUS_1XX: Record<number, string> = { 100: 'Continue', 102: 'Processing', 103: 'Early Hints' };

/**
 * The Content-Type Go's net/http would add when the worker sent none: a small subset of
 * http.DetectContentType (HTML, XML, PDF, common images, binary vs text), from the first 512 bytes.
 */
export function sniffContentType(body: Buffer): string {
  let i = 0;
  const n = Math.min(body.length, 512);
  while (i < n && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x0c)) i++;
  const head = body.toString('latin1', i, Math.min(n, i + 16)).toLowerCase();
  for (const sig of HTML_SIGNATURES) {
    if (head.startsWith(sig)) {
      const after = head.charCodeAt(sig.length);
      if (after === 0x20 || after === 0x3e || Number.isNaN(after)) return 'text/html; charset=utf-8';
    }
  }
  if (head.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  if (body.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (body.subarray(0, 8).equals(PNG)) return 'image/png';
  if (body[0] === 0xff && body[1] === 0xd8 && body[2] === 0xff) return 'image/jpeg';
  if (body.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  for (let j = 0; j < n; j++) {
    const b = body[j] as number;
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return 'application/octet-stream';
  }
  return 'text/plain; charset=utf-8';
}

const HTML_SIGNATURES = ['<!doctype html', '<html', '<head', '<script', '<iframe', '<h1', '<div', '<font', '<table', '<a', '<style', '<title', '<b', '<body', '<br', '<p', '<!--'];
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Go's html.EscapeString. */
export function escapeHtml(text: string): string {
  return text.replace(/[&'<>"]/g, (c) => HTML_ESCAPES[c] as string);
}
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;' };
