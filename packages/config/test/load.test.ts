import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, loadConfigText } from '../src/index.js';
import { invalidIssues, rejection, useTempDir } from './helpers.js';

const tmp = useTempDir();
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));

describe('loadConfig', () => {
  it('throws RR_ERR_CONFIG_NOT_FOUND with a hint for a missing root file', async () => {
    const err = await rejection(() => loadConfig({ file: '/nonexistent/dir/.rr.yaml', env: {} }), 'RR_ERR_CONFIG_NOT_FOUND');
    expect(err.hint).toContain('-c');
    expect(err.details).toEqual({ file: '/nonexistent/dir/.rr.yaml' });
  });

  it('throws RR_ERR_CONFIG_UNREADABLE when the root path is a directory', async () => {
    await tmp.write('sub/placeholder', '');
    await rejection(() => loadConfig({ file: `${tmp.dir()}/sub`, env: {} }), 'RR_ERR_CONFIG_UNREADABLE');
  });

  it('returns the version, sections without loader keys, files, env and workDir', async () => {
    const file = await tmp.write('.rr.yaml', 'version: "3"\nenvfile: .env\ninclude: []\nrpc:\n  listen: tcp://127.0.0.1:6001\n');
    await tmp.write('.env', 'FROM_FILE=1\n');
    const cfg = await loadConfig({ file, env: { A: 'a' } });
    expect(cfg).toEqual({
      version: '3',
      sections: { rpc: { listen: 'tcp://127.0.0.1:6001' } },
      files: [file],
      env: { A: 'a', FROM_FILE: '1' },
      warnings: [],
      workDir: tmp.dir(),
    });
  });

  it('loads a RoadRunner .rr.yaml unchanged', async () => {
    const cfg = await loadConfig({ file: fixture('roadrunner.rr.yaml'), env: { HTTP_PORT: '8080' } });
    expect(cfg.version).toBe('3');
    expect(cfg.warnings).toEqual([]);
    expect(Object.keys(cfg.sections)).toEqual(['rpc', 'server', 'logs', 'http', 'kv', 'jobs', 'metrics', 'status', 'service', 'endure']);
    expect(cfg.sections).toMatchObject({
      rpc: { listen: 'tcp://127.0.0.1:6001' },
      server: { command: 'php worker.php', relay: 'pipes', env: [{ APP_ENV: 'production' }], on_init: { exec_timeout: '20s', exit_on_error: true } },
      logs: { mode: 'production', level: 'info', channels: { http: { output: ['stdout'] } } },
      http: {
        address: '0.0.0.0:8080',
        max_request_size: 256,
        middleware: ['static', 'gzip', 'headers'],
        headers: { cors: { allowed_origin: '*', max_age: 600 }, response: { 'X-Powered-By': 'RoadRunner' } },
        pool: { num_workers: 4, allocate_timeout: '60s', supervisor: { max_worker_memory: 128, exec_ttl: '60s' } },
      },
      kv: { 'local-memory': { driver: 'memory', config: {} }, users: { config: { permissions: 0o777, interval: 40 } }, sessions: { config: { addrs: ['localhost:6379'] } } },
      jobs: { timeout: 60, consume: ['local', 'emails'], pipelines: { emails: { driver: 'amqp', config: { durable: true } } } },
      service: { meilisearch: { command: './bin/meilisearch', restart_sec: 1, env: { MEILI_NO_ANALYTICS: true } } },
      endure: { grace_period: '30s' },
    });
  });

  it('reports every problem at once: one RR_ERR_CONFIG_INVALID listing them one per line', async () => {
    const file = await tmp.write('.rr.yaml', 'version: 3\ninclude: [missing.yaml]\nhttp:\n  address: ":8080"\n');
    const err = await rejection(() => loadConfig({ file, overrides: ['http.address'], dotenv: 'absent.env', env: {} }), 'RR_ERR_CONFIG_INVALID');
    expect(err.details.issues).toMatchObject([
      { path: 'dotenv', code: 'RR_ERR_CONFIG_DOTENV_UNREADABLE' },
      { path: 'overrides[0]', code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' },
      { path: 'version', code: 'RR_ERR_CONFIG_VERSION_TYPE' },
      { path: 'include[0]', code: 'RR_ERR_CONFIG_INCLUDE_NOT_FOUND' },
    ]);
    expect(err.details.file).toBe(file);
    const dir = tmp.dir();
    expect(err.message.replaceAll(dir, '<dir>')).toMatchInlineSnapshot(`
      "invalid configuration in <dir>/.rr.yaml:
        - dotenv: cannot read dotenv file <dir>/absent.env: no such file or directory (RR_ERR_CONFIG_DOTENV_UNREADABLE)
        - overrides[0]: malformed override "http.address": missing "=" between key and value (RR_ERR_CONFIG_OVERRIDE_MALFORMED)
        - version: "version" must be a string, found the number 3 (RR_ERR_CONFIG_VERSION_TYPE)
        - include[0]: included file not found: <dir>/missing.yaml (RR_ERR_CONFIG_INCLUDE_NOT_FOUND)"
    `);
  });

  it('reports YAML syntax errors with file:line:col, together with override problems', async () => {
    const file = await tmp.write('.rr.yaml', 'version: "3"\nhttp:\n  address: [":8080"\nrpc: {}\n');
    const err = await rejection(() => loadConfig({ file, overrides: ['=x'], env: {} }), 'RR_ERR_CONFIG_INVALID');
    const issues = err.details.issues as { path: string; code: string; message: string }[];
    expect(issues[0]).toMatchObject({ path: 'overrides[0]', code: 'RR_ERR_CONFIG_OVERRIDE_MALFORMED' });
    expect(issues.slice(1).every((i) => i.code === 'RR_ERR_CONFIG_YAML_SYNTAX' && i.path === '')).toBe(true);
    expect(issues[1]?.message).toMatch(new RegExp(`^YAML syntax error at ${file.replaceAll('.', '\\.')}:\\d+:\\d+: `));
  });

  it.each([
    ['duplicate keys', 'version: "3"\na: 1\na: 2\n', 'RR_ERR_CONFIG_YAML_SYNTAX'],
    ['an alias to nothing', 'version: "3"\na: *nope\n', 'RR_ERR_CONFIG_YAML_SYNTAX'],
    ['two documents', 'version: "3"\n---\nversion: "3"\n', 'RR_ERR_CONFIG_YAML_SYNTAX'],
    ['a list at the top level', '- a\n- b\n', 'RR_ERR_CONFIG_ROOT_TYPE'],
    ['a scalar at the top level', 'just text\n', 'RR_ERR_CONFIG_ROOT_TYPE'],
  ])('rejects %s', async (_name, text, code) => {
    expect((await invalidIssues(() => loadConfigText(text, { env: {} }))).map((i) => i.code)).toContain(code);
  });

  it('reports the line and column of a syntax error', async () => {
    const err = await rejection(() => loadConfigText('version: "3"\na: 1\nb: c: d\n', { env: {}, name: 'inline.yaml' }), 'RR_ERR_CONFIG_INVALID');
    expect(err.details.issues).toEqual([
      { path: '', code: 'RR_ERR_CONFIG_YAML_SYNTAX', message: 'YAML syntax error at inline.yaml:3:4: Nested mappings are not allowed in compact mappings' },
    ]);
  });
});

describe('loadConfigText', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('resolves include and envfile against dir', async () => {
    await tmp.write('inc.yaml', 'version: "3"\nlogs: { level: "${LEVEL}" }\n');
    await tmp.write('.env', 'LEVEL=warn\n');
    const cfg = await loadConfigText('version: "3"\nenvfile: .env\ninclude: [inc.yaml]\n', { dir: tmp.dir(), env: {} });
    expect(cfg.sections).toEqual({ logs: { level: 'warn' } });
    expect(cfg.files).toEqual([`${tmp.dir()}/inc.yaml`]);
    expect(cfg.workDir).toBe(tmp.dir());
  });

  it('falls back to workDir for relative paths when no dir is given', async () => {
    await tmp.write('inc.yaml', 'version: "3"\nx: 1\n');
    const cfg = await loadConfigText('version: "3"\ninclude: [inc.yaml]\n', { workDir: tmp.dir(), env: {} });
    expect(cfg.sections).toEqual({ x: 1 });
  });

  it('names the text <text> in messages by default', async () => {
    const err = await rejection(() => loadConfigText('version: 3', { env: {} }), 'RR_ERR_CONFIG_INVALID');
    expect(err.message.split('\n')[0]).toBe('invalid configuration in <text>:');
    expect(err.details.file).toBeUndefined();
  });

  it('reads a copy of process.env when no env is passed, and never writes to it', async () => {
    vi.stubEnv('RR_CONFIG_TEST_HOST', 'from-process');
    const dotenv = await tmp.write('.env', 'RR_CONFIG_TEST_ONLY_IN_FILE=1\n');
    const cfg = await loadConfigText('version: "3"\na: ${RR_CONFIG_TEST_HOST}\n', { dotenv });
    expect(cfg.sections).toEqual({ a: 'from-process' });
    expect(cfg.env.RR_CONFIG_TEST_ONLY_IN_FILE).toBe('1');
    expect(process.env.RR_CONFIG_TEST_ONLY_IN_FILE).toBeUndefined();
  });

  it('returns plain objects even for a __proto__ key', async () => {
    const cfg = await loadConfigText('version: "3"\nsection:\n  __proto__: { polluted: true }\n', { env: {} });
    expect(Object.getPrototypeOf(cfg.sections.section)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
