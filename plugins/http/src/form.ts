import { httpErrors } from './errors.js';

/** RoadRunner's MaxLevel: names with more segments are dropped silently. */
const MAX_LEVEL = 127;

/** A node of the form tree: a null-prototype object, so names like `__proto__` stay plain keys. */
export type Tree = Record<string, unknown>;

/** One file as the worker sees it in `uploads` (PROTOCOL §4.5); key order is RoadRunner's. */
export interface UploadedFile {
  name: string;
  mime: string;
  size: number;
  /** PHP upload error: 0 ok, 4 no file, 6 no tmp dir, 7 can't write, 8 forbidden extension. */
  error: number;
  tmpName: string;
}

export const newTree = (): Tree => Object.create(null) as Tree;

/**
 * Splits a field name on brackets as RoadRunner's FetchIndexes: `a[b][c]` → a,b,c; `a[]` → a,'';
 * spaces are ignored; text after `]` starts a new segment.
 */
export function fetchIndexes(name: string): string[] {
  // Fast path: a plain name without brackets or spaces.
  if (!/[[\] ]/.test(name)) return [name];
  const keys = [''];
  let pos = 0;
  for (const ch of name) {
    if (ch === ' ') continue;
    if (ch === '[') {
      pos = 1;
      continue;
    }
    if (ch === ']') {
      if (pos === 1) keys.push('');
      pos = 2;
      continue;
    }
    if (pos !== 0) keys.push('');
    keys[keys.length - 1] += ch;
    pos = 0;
  }
  return keys;
}

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v) && !isFile(v);
const isFile = (v: unknown): boolean => typeof v === 'object' && v !== null && 'tmpName' in v;
const isEmpty = (v: unknown): boolean => v === '' || (Array.isArray(v) && v.every((x) => x === ''));

/**
 * Builds the form tree (PROTOCOL §4.4) from fields grouped by name, in first-appearance order.
 * A plain leaf takes the last value, `name[]` all values. A key that would be both a leaf and a branch
 * is an error unless the leaf is empty (then the branch wins), RoadRunner's conflict rule made
 * deterministic (Go's map order made it random).
 *
 * @throws RR_ERR_HTTP_BAD_FORM on a leaf/branch conflict.
 */
export function buildDataTree(fields: Map<string, string[]>): Tree {
  const root = newTree();
  for (const [name, values] of fields) {
    const keys = fetchIndexes(name);
    if (keys.length > MAX_LEVEL) continue;
    let node = root;
    const last = keys.length - 1;
    const list = keys.length >= 2 && keys[last] === '';
    const leafDepth = list ? last - 1 : last;
    for (let i = 0; i < leafDepth; i++) {
      const key = keys[i] as string;
      const next = node[key];
      if (next === undefined || isEmpty(next)) {
        const child = newTree();
        node[key] = child;
        node = child;
      } else if (isTree(next)) {
        node = next;
      } else {
        throw httpErrors.BAD_FORM(`invalid multiple values to key '${key}' in tree`);
      }
    }
    const key = keys[leafDepth] as string;
    const value: unknown = list ? values : values[values.length - 1];
    const existing = node[key];
    if (existing !== undefined && isTree(existing) && Object.keys(existing).length > 0) {
      if (isEmpty(value)) continue;
      throw httpErrors.BAD_FORM(`invalid multiple values to key '${key}' in tree`);
    }
    node[key] = value;
  }
  return root;
}

/**
 * Builds the uploads tree: as the form tree, but a plain leaf takes the **first** file and conflicts
 * are ignored (the first file placed wins), as RoadRunner's fileTree.
 */
export function buildFileTree(files: Map<string, UploadedFile[]>): Tree {
  const root = newTree();
  for (const [name, list] of files) {
    const keys = fetchIndexes(name);
    if (keys.length > MAX_LEVEL) continue;
    let node: Tree | undefined = root;
    const last = keys.length - 1;
    const isList = keys.length >= 2 && keys[last] === '';
    const leafDepth = isList ? last - 1 : last;
    for (let i = 0; i < leafDepth && node !== undefined; i++) {
      const key = keys[i] as string;
      const next: unknown = node[key];
      if (next === undefined) {
        const child = newTree();
        node[key] = child;
        node = child;
      } else {
        node = isTree(next) ? next : undefined;
      }
    }
    if (node === undefined) continue;
    const key = keys[leafDepth] as string;
    const existing = node[key];
    if (existing !== undefined && isTree(existing)) continue;
    node[key] = isList ? list : list[0];
  }
  return root;
}

const HEX: Record<string, number> = {};
for (let i = 0; i < 16; i++) {
  HEX[i.toString(16)] = i;
  HEX[i.toString(16).toUpperCase()] = i;
}

/**
 * Go's url.QueryUnescape: `%XX` escapes and `+` as space. Bytes that are not UTF-8 become U+FFFD, as
 * Go's JSON encoder would make them.
 *
 * @returns the text, or `undefined` for a malformed escape (Go's error: the value is dropped).
 */
export function queryUnescape(text: string, plusAsSpace = true): string | undefined {
  if (!text.includes('%') && !(plusAsSpace && text.includes('+'))) return text;
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(text));
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hi = HEX[text[i + 1] as string];
      const lo = HEX[text[i + 2] as string];
      if (hi === undefined || lo === undefined) return undefined;
      bytes[n++] = (hi << 4) | lo;
      i += 2;
    } else if (c === 0x2b && plusAsSpace) {
      bytes[n++] = 0x20;
    } else if (c < 0x80) {
      bytes[n++] = c;
    } else {
      // Non-ASCII text (already decoded by the client): copy its UTF-8 bytes.
      const end = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
      n += bytes.write(text.slice(i, end), n);
      i = end - 1;
    }
  }
  return bytes.toString('utf8', 0, n);
}

/**
 * Parses an `application/x-www-form-urlencoded` body into fields grouped by name (first-appearance
 * order). Pairs with a malformed escape or a `;` in the key are skipped, as Go's url.ParseQuery skips them.
 */
export function parseUrlEncoded(body: string, into: Map<string, string[]> = new Map()): Map<string, string[]> {
  if (body.length === 0) return into;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    if (rawKey.includes(';')) continue;
    const key = queryUnescape(rawKey);
    const value = eq < 0 ? '' : queryUnescape(pair.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    addField(into, key, value);
  }
  return into;
}

/** Appends a value to a grouped field. */
export function addField<T>(fields: Map<string, T[]>, name: string, value: T): void {
  const list = fields.get(name);
  if (list === undefined) fields.set(name, [value]);
  else list.push(value);
}
