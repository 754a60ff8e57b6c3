import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../src/index.js';
import { invalidIssues } from './helpers.js';

const base = 'version: "3"\nhttp:\n  address: 127.0.0.1:8080\n  pool:\n    num_workers: 2\n';
const env = { PORT: '9000', EMPTY: '' };
const load = (overrides: string[]) => loadConfigText(base, { overrides, env });

describe('-o overrides', () => {
  it.each([
    ['replaces a nested string', ['http.address=0.0.0.0:80'], ['http', 'address'], '0.0.0.0:80'],
    ['types an unquoted number', ['http.pool.num_workers=4'], ['http', 'pool', 'num_workers'], 4],
    ['types a float', ['http.pool.ratio=0.5'], ['http', 'pool', 'ratio'], 0.5],
    ['types a boolean', ['http.pool.debug=true'], ['http', 'pool', 'debug'], true],
    ['types null', ['http.pool.debug=null'], ['http', 'pool', 'debug'], null],
    ['parses a flow list', ['http.middleware=[gzip, headers]'], ['http', 'middleware'], ['gzip', 'headers']],
    ['parses a flow list of numbers', ['a=[1,2]'], ['a'], [1, 2]],
    ['parses a flow map', ['http.pool.supervisor={ttl: 10s, max_worker_memory: 128}'], ['http', 'pool', 'supervisor'], { ttl: '10s', max_worker_memory: 128 }],
    ['strips double quotes and keeps a string', ['http.pool.num_workers="4"'], ['http', 'pool', 'num_workers'], '4'],
    ['strips single quotes', ["http.address='127.0.0.1:1'"], ['http', 'address'], '127.0.0.1:1'],
    ['strips backquotes', ['http.address=`:1`'], ['http', 'address'], ':1'],
    ['unescapes the quote character inside quotes', ['a="say \\"hi\\""'], ['a'], 'say "hi"'],
    ['an explicit empty string', ['a=""'], ['a'], ''],
    ['keeps a lone quote literally', ['a="x'], ['a'], '"x'],
    ['expands env in the value', ['http.address=0.0.0.0:${PORT}'], ['http', 'address'], '0.0.0.0:9000'],
    ['expands env defaults, then types the result', ['http.pool.num_workers=${WORKERS:-8}'], ['http', 'pool', 'num_workers'], 8],
    ['expands env inside quotes but keeps a string', ['a="${PORT}"'], ['a'], '9000'],
    ['trims spaces around key and value', ['  http.address = :81  '], ['http', 'address'], ':81'],
    ['splits at the first "=" only', ['a=b=c'], ['a'], 'b=c'],
    ['keeps block-looking text a string', ['a=k: v'], ['a'], 'k: v'],
    ['keeps a leading # a string (not a YAML comment)', ['a=#fff'], ['a'], '#fff'],
    ['keeps text YAML cannot parse a string', ['a=@at'], ['a'], '@at'],
    ['a later flag wins', ['a=1', 'a=2'], ['a'], 2],
  ])('%s', async (_name, overrides, path, expected) => {
    const cfg = await load(overrides);
    let node: unknown = cfg.sections;
    for (const seg of path) node = (node as Record<string, unknown>)[seg];
    expect(node).toEqual(expected);
  });

  it('creates intermediate maps and keeps sibling keys', async () => {
    const cfg = await load(['http.pool.supervisor.ttl=10s', 'kv.local.driver=memory']);
    expect(cfg.sections).toEqual({
      http: { address: '127.0.0.1:8080', pool: { num_workers: 2, supervisor: { ttl: '10s' } } },
      kv: { local: { driver: 'memory' } },
    });
  });

  it('replaces a scalar that stands where a map is needed, as viper does', async () => {
    const cfg = await load(['http.address.host=x']);
    expect(cfg.sections.http).toMatchObject({ address: { host: 'x' } });
  });

  it('sets version as the string "3" so the gate passes', async () => {
    const cfg = await loadConfigText('version: "2.7"\n', { overrides: ['version=3'], env });
    expect(cfg.version).toBe('3');
    expect(cfg.warnings).toEqual([]);
  });

  it('never reaches Object.prototype', async () => {
    expect(await invalidIssues(() => load(['__proto__.polluted=1', 'a.constructor.x=1']))).toEqual([
      { path: 'overrides[0]', code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' },
      { path: 'overrides[1]', code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['no "="', 'http.address', 'overrides[0]'],
    ['an empty key', '=value', 'overrides[0]'],
    ['an empty value', 'http.address=', 'overrides[0]'],
    ['an empty key segment', 'http..address=1', 'overrides[0]'],
    ['a trailing dot', 'http.=1', 'overrides[0]'],
    ['a broken flow list (reported at the key)', 'http.middleware=[gzip', 'http.middleware'],
  ])('reports %s as RR_ERR_CONFIG_OVERRIDE_MALFORMED', async (_name, flag, path) => {
    expect(await invalidIssues(() => load([flag]))).toEqual([{ path, code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' }]);
  });

  it('reports every malformed flag, with its index', async () => {
    expect(await invalidIssues(() => load(['ok=1', 'bad', 'also bad']))).toEqual([
      { path: 'overrides[1]', code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' },
      { path: 'overrides[2]', code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' },
    ]);
  });
});
