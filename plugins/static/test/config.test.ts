import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { staticConfigKey, staticConfigSchema, staticPlugin } from '../src/index.js';

async function sections(yaml: string): Promise<Record<string, unknown>> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: { ASSETS: 'public', ETAG: 'true' } })).sections;
}

const section = async (yaml: string) => ((await sections(yaml)).http as { static: unknown }).static;

describe('static config', () => {
  it('is read from http.static', () => {
    expect(staticConfigKey).toBe('http.static');
  });

  it.each([
    ['only dir: RoadRunner defaults', 'http:\n  static:\n    dir: public', { dir: 'public', forbid: [], allow: [], calculate_etag: false, weak: false, request: {}, response: {} }],
    [
      'every key',
      'http:\n  static:\n    dir: "."\n    forbid: [".php", ".htaccess"]\n    allow: [".css"]\n    calculate_etag: true\n    weak: true\n    request: { input: "custom-header" }\n    response: { Cache-Control: "max-age=60", X-Num: 5 }',
      { dir: '.', forbid: ['.php', '.htaccess'], allow: ['.css'], calculate_etag: true, weak: true, request: { input: 'custom-header' }, response: { 'Cache-Control': 'max-age=60', 'X-Num': '5' } },
    ],
    ['env strings for dir and booleans', 'http:\n  static:\n    dir: ${ASSETS}\n    calculate_etag: ${ETAG}', { dir: 'public', calculate_etag: true }],
    ['empty lists and maps written as nothing', 'http:\n  static:\n    dir: public\n    forbid:\n    request:', { forbid: [], request: {} }],
  ])('accepts %s', async (_name, yaml, expected) => {
    expect(staticConfigSchema.parse(await section(yaml))).toMatchObject(expected);
  });

  async function issues(yaml: string) {
    const err = await startTestKernel({ plugins: [staticPlugin], config: await sections(yaml) }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    return ((err as RrError).details.issues as { path: string }[]).map((i) => i.path);
  }

  it.each([
    ['no dir', 'http:\n  static:\n    forbid: [".php"]', ['http.static.dir']],
    ['an empty dir', 'http:\n  static:\n    dir: ""', ['http.static.dir']],
    ['a bad boolean', 'http:\n  static:\n    dir: public\n    weak: maybe', ['http.static.weak']],
    ['forbid as a string', 'http:\n  static:\n    dir: public\n    forbid: ".php"', ['http.static.forbid']],
    ['a header name with a space', 'http:\n  static:\n    dir: public\n    response: { "Bad Name": x }', ['http.static.response.Bad Name']],
    ['a header value with a newline', 'http:\n  static:\n    dir: public\n    response: { X-A: "a\\nb" }', ['http.static.response.X-A']],
    ['an unknown key', 'http:\n  static:\n    dir: public\n    etag: true', ['http.static.etag']],
  ])('rejects %s', async (_name, yaml, paths) => {
    expect(await issues(yaml)).toEqual(paths);
  });
});
