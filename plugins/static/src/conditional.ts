import type { IncomingMessage } from 'node:http';

/**
 * Conditional requests and ranges as Go's http.ServeContent answers them (RoadRunner serves every file
 * through it), minus multipart byte ranges.
 */

type Cond = 'none' | 'true' | 'false';

/** What the preconditions decided: answer 412 or 304 now, or serve (a range when `range` is set). */
export type Precondition = { kind: 'precondition-failed' } | { kind: 'not-modified' } | { kind: 'serve'; range: string | undefined };

/** The opaque tags of an If-Match / If-None-Match list, `*` included; stops at the first malformed one. */
function* etagList(header: string): Generator<string> {
  let rest = header;
  for (;;) {
    rest = rest.replace(/^[ \t]+/, '');
    if (rest === '') return;
    if (rest.startsWith(',')) {
      rest = rest.slice(1);
      continue;
    }
    if (rest.startsWith('*')) {
      yield '*';
      rest = rest.slice(1);
      continue;
    }
    const tag = scanEtag(rest);
    if (tag === undefined) return;
    yield tag.etag;
    rest = tag.rest;
  }
}

/** One entity-tag (`"x"` or `W/"x"`) at the start of `s`. */
function scanEtag(s: string): { etag: string; rest: string } | undefined {
  const m = /^(W\/)?"([\x21\x23-\x7e\x80-\uffff]*)"/.exec(s);
  return m === null ? undefined : { etag: m[0], rest: s.slice(m[0].length) };
}

const strongMatch = (a: string, b: string) => a === b && a !== '' && a.startsWith('"');
const weakMatch = (a: string, b: string) => a.replace(/^W\//, '') === b.replace(/^W\//, '');

function httpDate(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since and If-Range against the
 * response's current ETag header (so one set from `http.static.response` counts) and the mtime.
 */
export function checkPreconditions(req: IncomingMessage, etag: string, mtimeMs: number): Precondition {
  const getOrHead = req.method === 'GET' || req.method === 'HEAD';
  // HTTP dates carry whole seconds; a sub-second mtime would otherwise never compare equal.
  const modified = mtimeMs > 0 ? Math.floor(mtimeMs / 1000) * 1000 : undefined;
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  };

  let cond: Cond = 'none';
  const im = header('if-match');
  if (im !== undefined && im !== '') {
    cond = 'false';
    for (const tag of etagList(im)) if (tag === '*' || strongMatch(tag, etag)) cond = 'true';
  }
  if (cond === 'none') {
    const ius = httpDate(header('if-unmodified-since'));
    if (ius !== undefined && modified !== undefined) cond = modified <= ius ? 'true' : 'false';
  }
  if (cond === 'false') return { kind: 'precondition-failed' };

  const inm = header('if-none-match');
  if (inm !== undefined && inm !== '') {
    let matched = false;
    for (const tag of etagList(inm)) if (tag === '*' || weakMatch(tag, etag)) matched = true;
    if (matched) return getOrHead ? { kind: 'not-modified' } : { kind: 'precondition-failed' };
  } else if (getOrHead) {
    const ims = httpDate(header('if-modified-since'));
    if (ims !== undefined && modified !== undefined && modified <= ims) return { kind: 'not-modified' };
  }

  let range = header('range');
  if (range !== undefined && range !== '' && getOrHead) {
    const ir = header('if-range');
    if (ir !== undefined && ir !== '') {
      const tag = scanEtag(ir);
      const fresh = tag !== undefined ? strongMatch(tag.etag, etag) : modified !== undefined && httpDate(ir) === modified;
      if (!fresh) range = undefined;
    }
  } else {
    range = undefined;
  }
  return { kind: 'serve', range };
}

/** The byte range to send (inclusive `end`), or `unsatisfiable` (416), or `ignore` (serve the whole file). */
export type RangeResult = { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' } | { kind: 'ignore' };

/**
 * Parses a Range header for a file of `size` bytes. Another unit than `bytes` is ignored (RFC 9110 §14.2);
 * a malformed or non-overlapping byte range is unsatisfiable, as in Go. Several ranges are served as the
 * whole file (a server may ignore Range) rather than as multipart/byteranges.
 */
export function parseRange(header: string, size: number): RangeResult {
  const m = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)=(.*)$/.exec(header);
  if (m === null) return { kind: 'unsatisfiable' };
  if (m[1]?.toLowerCase() !== 'bytes') return { kind: 'ignore' };
  const specs = (m[2] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (specs.length === 0) return { kind: 'unsatisfiable' };
  const ranges: { start: number; end: number }[] = [];
  for (const spec of specs) {
    const r = /^(\d*)-(\d*)$/.exec(spec);
    if (r === null || (r[1] === '' && r[2] === '')) return { kind: 'unsatisfiable' };
    if (r[1] === '') {
      const suffix = Number(r[2]);
      // A zero-length suffix selects nothing (RFC 9110 §14.1.3); Go would send an empty 206.
      if (suffix === 0 || size === 0) continue;
      ranges.push({ start: Math.max(0, size - suffix), end: size - 1 });
      continue;
    }
    const start = Number(r[1]);
    const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
    if (r[2] !== '' && start > Number(r[2])) return { kind: 'unsatisfiable' };
    if (start >= size) continue;
    ranges.push({ start, end });
  }
  if (ranges.length === 0) return { kind: 'unsatisfiable' };
  if (ranges.length > 1) return { kind: 'ignore' };
  return { kind: 'range', ...(ranges[0] as { start: number; end: number }) };
}
