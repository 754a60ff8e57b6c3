/**
 * What the path of a request means to the static middleware, decided from the URL alone (no file system
 * access, so the answer cannot depend on what exists on disk):
 * - `traversal`: a `..` segment after decoding (`/../`, `/%2e%2e/`, `..%2f`, `..\`): RoadRunner answers 403;
 * - `pass`: never a static file (no extension, a dotfile, NUL or control bytes, a backslash, a malformed
 *   escape, a trailing slash…): the request goes on to PHP;
 * - `candidate`: a path below the root, to be looked up, with its lower-cased extension.
 */
export type PathVerdict =
  | { kind: 'traversal' }
  | { kind: 'pass'; reason: string }
  | { kind: 'candidate'; relative: string; ext: string };

// `.well-known` (RFC 8615) holds files meant to be public (security.txt, ACME challenges, app links);
// every other dot segment (.env, .git, .htaccess) stays private.
const PUBLIC_DOT_SEGMENTS = new Set(['.well-known']);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Classifies `req.url` (origin-form `/a/b?q`, or absolute-form `http://host/a/b` as a proxy receives it). */
export function classifyRequestPath(url: string): PathVerdict {
  let raw = url.split(/[?#]/, 1)[0] ?? '';
  if (!raw.startsWith('/')) {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/.*)?$/i.exec(raw);
    if (absolute === null) return { kind: 'pass', reason: 'not a path' };
    raw = absolute[1] ?? '/';
  }
  const bytes = percentDecode(raw);
  if (bytes === undefined) return { kind: 'pass', reason: 'malformed percent-encoding' };
  let decoded: string;
  try {
    decoded = utf8.decode(bytes);
  } catch {
    return { kind: 'pass', reason: 'not UTF-8' };
  }
  // Decoded exactly once, as Go's r.URL.Path is: `%252e%252e` is the literal name `%2e%2e`, not `..`.
  // Backslashes count as separators here so `..\` is caught wherever the path ends up being used.
  const parts = decoded.split(/[/\\]/);
  if (parts.includes('..')) return { kind: 'traversal' };
  if (decoded.includes('\\')) return { kind: 'pass', reason: 'backslash' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return { kind: 'pass', reason: 'control character' };
  const last = parts[parts.length - 1] ?? '';
  // Go's path.Ext: the suffix of the last element only, so `/style.css/` and `/a.d/file` have none.
  const dot = last.lastIndexOf('.');
  const ext = dot <= 0 ? '' : last.slice(dot).toLowerCase();
  if (ext === '') return { kind: 'pass', reason: 'no extension' };
  const segments = parts.filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s.startsWith('.') && !PUBLIC_DOT_SEGMENTS.has(s))) return { kind: 'pass', reason: 'dotfile' };
  return { kind: 'candidate', relative: segments.join('/'), ext };
}

/**
 * Percent-decodes a path into bytes (`+` stays `+`). A `%` not followed by two hex digits makes the whole
 * path malformed, as Go's url parser says. Characters are taken as Node's parser gives them: Latin-1 for
 * raw bytes, UTF-8 for anything wider.
 */
export function percentDecode(raw: string): Buffer | undefined {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c <= 0xff) {
      out.push(c);
    } else {
      const cp = raw.codePointAt(i) as number;
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
      if (cp > 0xffff) i++;
    }
  }
  return Buffer.from(out);
}
