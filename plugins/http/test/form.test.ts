import { describe, expect, it } from 'vitest';
import { buildDataTree, buildFileTree, fetchIndexes, parseUrlEncoded, queryUnescape, type UploadedFile } from '../src/form.js';

const fields = (...pairs: [string, string][]) => {
  const m = new Map<string, string[]>();
  for (const [k, v] of pairs) m.set(k, [...(m.get(k) ?? []), v]);
  return m;
};
const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;

describe('fetchIndexes (RoadRunner’s bracket splitting)', () => {
  it.each([
    ['a', ['a']],
    ['a[b][c]', ['a', 'b', 'c']],
    ['a[]', ['a', '']],
    ['a[][b]', ['a', '', 'b']],
    ['a[b]c', ['a', 'b', 'c']],
    ['[x]', ['', 'x']],
    ['sp ace[ k ]', ['space', 'k']],
    ['a[b', ['a', 'b']],
    ['é[ü]', ['é', 'ü']],
  ])('%s → %j', (name, keys) => {
    expect(fetchIndexes(name)).toEqual(keys);
  });
});

describe('form tree', () => {
  it('nests, keeps lists and takes the last plain value', () => {
    const tree = buildDataTree(fields(['a[b][c]', '1'], ['a[b][d]', '2'], ['l[]', 'x'], ['l[]', 'y'], ['n', '1'], ['n', '2'], ['m[][k]', 'v']));
    expect(plain(tree)).toEqual({ a: { b: { c: '1', d: '2' } }, l: ['x', 'y'], n: '2', m: { '': { k: 'v' } } });
  });

  it('keeps names like __proto__ as plain keys', () => {
    const tree = buildDataTree(fields(['__proto__[x]', '1'], ['constructor', '2']));
    expect(JSON.stringify(tree)).toBe('{"__proto__":{"x":"1"},"constructor":"2"}');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it.each([
    [['a', '1'], ['a[b]', '2']],
    [['a[b]', '2'], ['a', '1']],
    [['a[]', '1'], ['a[b]', '2']],
    [['a[b]', '2'], ['a[]', '1']],
  ] as [string, string][][])('refuses a key that is a value and a branch: %j', (...pairs) => {
    expect(() => buildDataTree(fields(...pairs))).toThrow(expect.objectContaining({ code: 'RR_ERR_HTTP_BAD_FORM' }));
  });

  it('ignores empty values in conflicts', () => {
    expect(plain(buildDataTree(fields(['a', ''], ['a[b]', '2'])))).toEqual({ a: { b: '2' } });
    expect(plain(buildDataTree(fields(['a[b]', '2'], ['a', ''])))).toEqual({ a: { b: '2' } });
  });

  it('drops names deeper than 127 levels', () => {
    expect(plain(buildDataTree(fields(['a' + '[x]'.repeat(127), 'deep'], ['ok', '1'])))).toEqual({ ok: '1' });
  });
});

describe('uploads tree', () => {
  const f = (name: string): UploadedFile => ({ name, mime: 'text/plain', size: 1, error: 0, tmpName: `/tmp/${name}` });
  it('takes the first file of a plain name, all files of name[], and ignores conflicts', () => {
    const files = new Map<string, UploadedFile[]>([
      ['one', [f('a'), f('b')]],
      ['many[]', [f('c'), f('d')]],
      ['x[y][z]', [f('e')]],
      ['x', [f('conflict')]],
    ]);
    expect(plain(buildFileTree(files))).toEqual({ one: f('a'), many: [f('c'), f('d')], x: { y: { z: f('e') } } });
  });
});

describe('url decoding', () => {
  it.each([
    ['plain', 'plain'],
    ['a+b', 'a b'],
    ['%41%2b%2F', 'A+/'],
    ['%C3%A9', 'é'],
    ['%FF', '\uFFFD'],
    ['é+x', 'é x'],
    ['%zz', undefined],
    ['%4', undefined],
  ])('%s → %j', (text, out) => {
    expect(queryUnescape(text)).toBe(out);
  });

  it('parses url-encoded bodies as Go does: skipping empty pairs, bad escapes and ";" keys', () => {
    expect([...parseUrlEncoded('a=1&&b&c=%zz&d;e=2&a=3&f=x=y')]).toEqual([
      ['a', ['1', '3']],
      ['b', ['']],
      ['f', ['x=y']],
    ]);
  });
});
