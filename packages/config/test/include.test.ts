import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { invalidIssues, useTempDir } from './helpers.js';

const tmp = useTempDir();

describe('include', () => {
  it('replaces whole top-level sections (shallow merge) and lists the files in merge order', async () => {
    const root = await tmp.write(
      '.rr.yaml',
      'version: "3"\ninclude: [conf/logs.yaml, rpc.yaml]\nlogs:\n  mode: development\n  level: debug\nhttp:\n  address: :8080\n',
    );
    const logs = await tmp.write('conf/logs.yaml', 'version: "3"\nlogs:\n  level: error\n');
    const rpc = await tmp.write('rpc.yaml', 'version: "3"\nrpc:\n  listen: tcp://127.0.0.1:${RPC_PORT}\n');
    const cfg = await loadConfig({ file: root, env: { RPC_PORT: '7000' } });
    expect(cfg.sections).toEqual({
      logs: { level: 'error' }, // mode is gone: the include replaced the section
      http: { address: ':8080' },
      rpc: { listen: 'tcp://127.0.0.1:7000' }, // included files are env-expanded too
    });
    expect(cfg.files).toEqual([root, logs, rpc]);
  });

  it('lets a later include win over an earlier one', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude: [a.yaml, b.yaml]\n');
    await tmp.write('a.yaml', 'version: "3"\nkv: { a: 1 }\n');
    await tmp.write('b.yaml', 'version: "3"\nkv: { b: 2 }\n');
    expect((await loadConfig({ file: root, env: {} })).sections).toEqual({ kv: { b: 2 } });
  });

  it('resolves paths against the root config directory, not workDir', async () => {
    const root = await tmp.write('app/.rr.yaml', 'version: "3"\ninclude: [../shared/logs.yaml]\n');
    await tmp.write('shared/logs.yaml', 'version: "3"\nlogs: { mode: raw }\n');
    const cfg = await loadConfig({ file: root, workDir: '/somewhere/else', env: {} });
    expect(cfg.sections).toEqual({ logs: { mode: 'raw' } });
    expect(cfg.workDir).toBe('/somewhere/else');
  });

  it('accepts an absolute path', async () => {
    const abs = await tmp.write('elsewhere/x.yaml', 'version: "3"\nx: { y: 1 }\n');
    const root = await tmp.write('.rr.yaml', `version: "3"\ninclude: [${abs}]\n`);
    expect((await loadConfig({ file: root, env: {} })).sections).toEqual({ x: { y: 1 } });
  });

  it('accepts a single string, split on whitespace as RoadRunner reads it', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude: "a.yaml b.yaml"\n');
    await tmp.write('a.yaml', 'version: "3"\na: 1\n');
    await tmp.write('b.yaml', 'version: "3"\nb: 2\n');
    expect((await loadConfig({ file: root, env: {} })).sections).toEqual({ a: 1, b: 2 });
  });

  it('expands env in include paths', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude: [ "${RR_ENV:-dev}.yaml" ]\n');
    await tmp.write('prod.yaml', 'version: "3"\nmode: prod\n');
    expect((await loadConfig({ file: root, env: { RR_ENV: 'prod' } })).sections).toEqual({ mode: 'prod' });
  });

  it('applies after -o overrides, so an include replaces an overridden section (RoadRunner order)', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude: [http.yaml]\nhttp: { address: ":1" }\n');
    await tmp.write('http.yaml', 'version: "3"\nhttp: { address: ":2" }\n');
    const cfg = await loadConfig({ file: root, overrides: ['http.address=:3', 'rpc.listen=tcp://:6001'], env: {} });
    expect(cfg.sections).toEqual({ http: { address: ':2' }, rpc: { listen: 'tcp://:6001' } });
  });

  it('ignores include and envfile inside an included file, with RR_WARN_CONFIG_INCLUDE_KEY_IGNORED', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude: [a.yaml]\n');
    await tmp.write('a.yaml', 'version: "3"\ninclude: [b.yaml]\nenvfile: .env\na: 1\n');
    const cfg = await loadConfig({ file: root, env: {} });
    expect(cfg.sections).toEqual({ a: 1 });
    expect(cfg.files).toHaveLength(2);
    expect(cfg.warnings.map((w) => w.code)).toEqual(['RR_WARN_CONFIG_INCLUDE_KEY_IGNORED', 'RR_WARN_CONFIG_INCLUDE_KEY_IGNORED']);
  });

  it('treats an empty include key as no includes', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude:\n');
    expect((await loadConfig({ file: root, env: {} })).files).toEqual([root]);
  });

  it.each([
    ['a missing file', 'include: [nope.yaml]', [{ path: 'include[0]', code: 'RR_ERR_CONFIG_INCLUDE_NOT_FOUND' }]],
    ['a directory', 'include: [adir]', [{ path: 'include[0]', code: 'RR_ERR_CONFIG_INCLUDE_UNREADABLE' }]],
    ['a different version', 'include: [ok.yaml, v27.yaml]', [{ path: 'include[1]', code: 'RR_ERR_CONFIG_INCLUDE_VERSION_MISMATCH' }]],
    ['no version', 'include: [noversion.yaml]', [{ path: 'include[0]', code: 'RR_ERR_CONFIG_INCLUDE_VERSION_MISMATCH' }]],
    ['an unquoted version', 'include: [numeric.yaml]', [{ path: 'include[0]', code: 'RR_ERR_CONFIG_INCLUDE_VERSION_MISMATCH' }]],
    ['broken YAML', 'include: [broken.yaml]', [{ path: 'include[0]', code: 'RR_ERR_CONFIG_YAML_SYNTAX' }]],
    ['a list at the top', 'include: [list.yaml]', [{ path: 'include[0]', code: 'RR_ERR_CONFIG_ROOT_TYPE' }]],
    ['a non-string entry', 'include: [ok.yaml, 42, ""]', [{ path: 'include[1]', code: 'RR_ERR_CONFIG_INCLUDE_INVALID' }, { path: 'include[2]', code: 'RR_ERR_CONFIG_INCLUDE_INVALID' }]],
    ['a mapping', 'include: { a: b }', [{ path: 'include', code: 'RR_ERR_CONFIG_INCLUDE_INVALID' }]],
  ])('reports %s', async (_name, line, expected) => {
    await tmp.write('ok.yaml', 'version: "3"\nok: 1\n');
    await tmp.write('v27.yaml', 'version: "2.7"\n');
    await tmp.write('noversion.yaml', 'a: 1\n');
    await tmp.write('numeric.yaml', 'version: 3\n');
    await tmp.write('broken.yaml', 'version: "3"\na: [1\n');
    await tmp.write('list.yaml', '- a\n- b\n');
    await tmp.write('adir/placeholder', '');
    const root = await tmp.write('.rr.yaml', `version: "3"\n${line}\n`);
    expect(await invalidIssues(() => loadConfig({ file: root, env: {} }))).toEqual(expected);
  });

  it('names both versions in the mismatch message', async () => {
    const root = await tmp.write('.rr.yaml', 'version: "3"\ninclude: [v27.yaml]\n');
    await tmp.write('v27.yaml', 'version: "2.7"\n');
    await expect(loadConfig({ file: root, env: {} })).rejects.toMatchObject({
      details: { issues: [{ message: `included file ${join(tmp.dir(), 'v27.yaml')} has version "2.7", but the root config declares version "3"` }] },
    });
  });

  it('still reports a missing include when the root version is itself invalid', async () => {
    const root = await tmp.write('.rr.yaml', 'version: 3\ninclude: [nope.yaml, v27.yaml]\n');
    await tmp.write('v27.yaml', 'version: "2.7"\n');
    expect(await invalidIssues(() => loadConfig({ file: root, env: {} }))).toEqual([
      { path: 'version', code: 'RR_ERR_CONFIG_VERSION_TYPE' },
      { path: 'include[0]', code: 'RR_ERR_CONFIG_INCLUDE_NOT_FOUND' },
    ]);
  });
});
