import type { IncomingMessage } from 'node:http';
import { queryUnescape } from './form.js';

/** The request context of PROTOCOL §4.2, field order as RoadRunner's Go struct. */
export interface RequestContext {
  remoteAddr: string;
  protocol: string;
  method: string;
  uri: string;
  headers: Record<string, string[]>;
  cookies: Record<string, string>;
  rawQuery: string;
  parsed: boolean;
  uploads: Record<string, unknown> | null;
  attributes: Record<string, unknown>;
}

// Canonical names are cached: the same few dozen header spellings repeat on every request. The cap
// keeps a client sending random names from growing it without bound.
const canonicalCache = new Map<string, string>();
const CANONICAL_CACHE_MAX = 2048;

/**
 * Go's textproto.CanonicalMIMEHeaderKey: the first letter and every letter after `-` upper case, the
 * rest lower case (`content-type` → `Content-Type`). Names with bytes Go considers invalid (spaces)
 * stay as they are; Node's parser already refused other bytes.
 */
export function canonicalHeaderName(name: string): string {
  const cached = canonicalCache.get(name);
  if (cached !== undefined) return cached;
  let out = name;
  if (!name.includes(' ')) {
    out = '';
    let upper = true;
    for (let i = 0; i < name.length; i++) {
      const c = name[i] as string;
      out += upper ? c.toUpperCase() : c.toLowerCase();
      upper = c === '-';
    }
  }
  if (canonicalCache.size < CANONICAL_CACHE_MAX) canonicalCache.set(name, out);
  return out;
}

/**
 * Headers as RoadRunner sends them: canonical names, every line's value kept separately in arrival
 * order, no `Host` (Go moves it into the URL) and no HTTP/2 pseudo-headers. Also returns the Cookie
 * lines for {@link parseCookies}.
 */
export function collectHeaders(rawHeaders: readonly string[]): { headers: Record<string, string[]>; cookieLines: string[] } {
  // A plain object, not Object.create(null): V8's fast JSON.stringify path skips dictionary-mode
  // objects, and this one is serialised on every request. `__proto__` is the one name to guard.
  const headers: Record<string, string[]> = {};
  const cookieLines: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i] as string;
    // HTTP/2 pseudo-headers (:method, :path, :authority…) are not headers to Go's handlers either.
    if (raw.charCodeAt(0) === 0x3a) continue;
    const name = canonicalHeaderName(raw);
    if (name === 'Host') continue;
    const value = rawHeaders[i + 1] as string;
    const list = Object.hasOwn(headers, name) ? headers[name] : undefined;
    if (list === undefined) setOwn(headers, name, [value]);
    else list.push(value);
    if (name === 'Cookie') cookieLines.push(value);
  }
  return { headers, cookieLines };
}

/** `obj[key] = value` that also works for `__proto__` (an own data property, not the prototype). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

// RFC 7230 token characters: what Go accepts as a cookie name.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Go's validCookieValueByte over a whole value: 0x20..0x7e except `"`, `;` and `\`. */
function validCookieValue(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x3b || c === 0x5c) return false;
  }
  return true;
}

/**
 * Cookies as RoadRunner sends them: Go's cookie parsing (token names, one pair of quotes stripped,
 * invalid values dropped), then url.QueryUnescape of each value; a value that fails unescaping is
 * dropped. A repeated name keeps the last value.
 */
export function parseCookies(lines: readonly string[]): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const line of lines) {
    for (const part of line.split(';')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      const eq = trimmed.indexOf('=');
      const name = (eq < 0 ? trimmed : trimmed.slice(0, eq)).trim();
      if (!TOKEN.test(name)) continue;
      let value = eq < 0 ? '' : trimmed.slice(eq + 1);
      if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!validCookieValue(value)) continue;
      const unescaped = queryUnescape(value);
      if (unescaped !== undefined) setOwn(cookies, name, unescaped);
    }
  }
  return cookies;
}

/** Client IP without port; IPv4 clients of a dual-stack listener lose their `::ffff:` prefix, as in Go. */
export function remoteAddress(req: IncomingMessage): string {
  const addr = req.socket.remoteAddress ?? '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

/**
 * The absolute request URI `http://host/path?query` (the request target as received; an absolute-form
 * target is kept as it is) and the raw query, both without CR/LF.
 */
export function requestUri(req: IncomingMessage, tls: boolean): { uri: string; rawQuery: string } {
  let target = req.url ?? '/';
  if (target.includes('\r') || target.includes('\n')) target = target.replace(/[\r\n]/g, '');
  const q = target.indexOf('?');
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  if (target.startsWith('http://') || target.startsWith('https://')) return { uri: target, rawQuery };
  // HTTP/2 carries the host in :authority (Go's r.Host there too).
  let host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '';
  if (host.includes('\r') || host.includes('\n')) host = host.replace(/[\r\n]/g, '');
  return { uri: `${tls ? 'https' : 'http'}://${host}${target}`, rawQuery };
}
