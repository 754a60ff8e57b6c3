import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { definePlugin, isRrError, KERNEL_VERSION, type RrError } from '@rr/kernel';
import { logsPlugin } from '@rr/plugin-logs';
import { afterEach, describe, expect, it } from 'vitest';
import { configuredLine, formatError, kernelAccepts, loadConfiguredPlugins, parseCli, pluginEntries, pluginsTable, startServer } from '../src/index.js';

// Third-party plugins are plain JavaScript files and packages written into a temp project per test:
// what rr loads is exactly what a user would put next to their .rr.yaml.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rr-plugins-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, config: join(dir, 'app', '.rr.yaml') };
}

/** A plugin module in plain JavaScript; its section enables it, its serve makes it something to serve. */
const pluginModule = (id: string, options: { kernel?: string; exportAs?: string } = {}) => {
  const body = `{
  id: '${id}',
  kernel: '${options.kernel ?? '^1.0.0'}',
  config: { schema: { '~standard': { version: 1, vendor: 'fixture', validate: (value) => ({ value }) } } },
  needs: { logger: { id: 'logs.logger', kind: 'one' } },
  init: ({ needs, config }) => { needs.logger.named('${id}').info('${id} up', { config }); return { serve: () => undefined }; },
}`;
  return options.exportAs === undefined ? `export default ${body};\n` : `export const ${options.exportAs} = ${body};\n`;
};

const pkg = (json: Record<string, unknown>) => JSON.stringify({ type: 'module', version: '1.2.3', ...json });
const load = (entries: unknown, config: string, compiled = [logsPlugin]) => loadConfiguredPlugins(entries, { configFile: config, compiled });
const failure = (p: Promise<unknown>) => p.then(
  () => {
    throw new Error('expected a failure');
  },
  (e: unknown) => e as RrError,
);
/** The codes of an error: itself, or every error it aggregates. */
const codes = (err: RrError) => (Array.isArray(err.details.errors) ? (err.details.errors as RrError[]).map((e) => e.code) : [err.code]);

describe('the plugins section', () => {
  it('is optional: absent or empty means no plugins', () => {
    expect(pluginEntries(undefined)).toEqual([]);
    expect(pluginEntries(null)).toEqual([]);
    expect(pluginEntries([])).toEqual([]);
  });

  it('reports every malformed entry at once with dotted paths', () => {
    let err: RrError | undefined;
    try {
      pluginEntries(['ok', 42, '  ', { package: 'x' }]);
    } catch (e) {
      err = e as RrError;
    }
    expect(err?.code).toBe('RR_ERR_CLI_PLUGINS_CONFIG_INVALID');
    expect(err?.details.issues).toEqual([
      { path: 'plugins.1', code: 'RR_ERR_CONFIG_INVALID_TYPE', message: 'expected a package name or a path, got number 42' },
      { path: 'plugins.2', code: 'RR_ERR_CONFIG_TOO_SMALL', message: 'expected a package name or a path, got an empty string' },
      { path: 'plugins.3', code: 'RR_ERR_CONFIG_INVALID_TYPE', message: 'expected a package name or a path, got a mapping' },
    ]);
    expect(formatError(err)).toContain('  - plugins.2: expected a package name or a path, got an empty string [RR_ERR_CONFIG_TOO_SMALL]');
  });

  it('must be a list', () => {
    expect(() => pluginEntries('rr-plugin-greeter')).toThrow(expect.objectContaining({ code: 'RR_ERR_CLI_PLUGINS_CONFIG_INVALID', details: { issues: [expect.objectContaining({ path: 'plugins' })] } }));
  });
});

describe('loading configured plugins', () => {
  it('loads a module file by a path relative to the config, and a package directory through its exports', async () => {
    const { config, dir } = project({
      'plugins/audit.mjs': pluginModule('audit'),
      'vendor/rr-plugin-stamp/package.json': pkg({ name: 'rr-plugin-stamp', exports: { '.': { types: './x.d.ts', import: './lib/main.js' } } }),
      'vendor/rr-plugin-stamp/lib/main.js': pluginModule('stamp'),
    });
    const loaded = await load(['../plugins/audit.mjs', `${dir}/vendor/rr-plugin-stamp`], config);
    expect(loaded.map((c) => [c.plugin.id, c.path, c.entry, c.package?.name, c.package?.version])).toEqual([
      ['audit', 'plugins.0', '../plugins/audit.mjs', undefined, undefined],
      ['stamp', 'plugins.1', `${dir}/vendor/rr-plugin-stamp`, 'rr-plugin-stamp', '1.2.3'],
    ]);
    expect(loaded[1]?.file).toBe(join(dir, 'vendor/rr-plugin-stamp/lib/main.js'));
    expect(configuredLine(loaded)).toBe('rr: plugins from config: audit (../plugins/audit.mjs), stamp (rr-plugin-stamp 1.2.3)');
  });

  it('resolves a package name from node_modules of the config directory or any directory above it', async () => {
    const { config } = project({
      'node_modules/rr-plugin-up/package.json': pkg({ name: 'rr-plugin-up', main: 'index.js' }),
      'node_modules/rr-plugin-up/index.js': pluginModule('up'),
      'node_modules/@acme/rr-plugin-scoped/package.json': pkg({ name: '@acme/rr-plugin-scoped', exports: './dist/index.js' }),
      'node_modules/@acme/rr-plugin-scoped/dist/index.js': pluginModule('scoped'),
    });
    const loaded = await load(['rr-plugin-up', '@acme/rr-plugin-scoped'], config);
    expect(loaded.map((c) => [c.plugin.id, c.package?.name])).toEqual([
      ['up', 'rr-plugin-up'],
      ['scoped', '@acme/rr-plugin-scoped'],
    ]);
  });

  it('follows a symlinked package (a workspace or npm link) to its real files', async () => {
    const { config, dir } = project({
      'src/greeter/package.json': pkg({ name: 'rr-plugin-linked', exports: './index.js' }),
      'src/greeter/index.js': pluginModule('linked'),
    });
    mkdirSync(join(dir, 'app/node_modules'), { recursive: true });
    symlinkSync(join(dir, 'src/greeter'), join(dir, 'app/node_modules/rr-plugin-linked'));
    const [loaded] = await load(['rr-plugin-linked'], config);
    expect(loaded).toMatchObject({ plugin: { id: 'linked' }, file: join(dir, 'src/greeter/index.js'), package: { name: 'rr-plugin-linked', dir: join(dir, 'src/greeter') } });
  });

  it('takes the default export, else every named plugin export or array, else the one the rr manifest names', async () => {
    const { config } = project({
      'named.mjs': `${pluginModule('one', { exportAs: 'onePlugin' })}export const helper = () => 1;\n`,
      'list.mjs': `const a = ${pluginModule('a_list').replace('export default ', '').replace(/;\n$/, '')};\nconst b = { ...a, id: 'b_list' };\nexport default [a, b];\n`,
      'manifest/package.json': pkg({ name: 'rr-plugin-manifest', main: 'main.js', rr: { export: 'chosenPlugin', kernel: '^1.0.0' } }),
      'manifest/main.js': `${pluginModule('chosen', { exportAs: 'chosenPlugin' })}${pluginModule('ignored')}`,
    });
    const loaded = await load(['../named.mjs', '../list.mjs', '../manifest'], config);
    expect(loaded.map((c) => c.plugin.id)).toEqual(['one', 'a_list', 'b_list', 'chosen']);
  });

  it('ignores a pnpm workspace: peer range (rewritten to a real range when packed)', async () => {
    const { config } = project({
      'ws/package.json': pkg({ name: 'rr-plugin-ws', main: 'index.js', peerDependencies: { '@rr/kernel': 'workspace:^' } }),
      'ws/index.js': pluginModule('ws'),
    });
    expect((await load(['../ws'], config)).map((c) => c.plugin.id)).toEqual(['ws']);
  });
});

describe('refusing a plugin built for another kernel', () => {
  // The module throws if imported: a refusal from package.json must come before any of its code runs.
  const explodes = `throw new Error('imported although refused');\n`;

  it.each([
    ['peerDependencies["@rr/kernel"]', { peerDependencies: { '@rr/kernel': '^9' } }, '^9', 'peerDependencies["@rr/kernel"] of rr-plugin-future@1.2.3'],
    ['the rr manifest', { rr: { kernel: '^9.0.0' } }, '^9.0.0', '"rr": { "kernel" } of rr-plugin-future@1.2.3'],
  ])('from %s, before importing it', async (_name, json, range, where) => {
    const { config } = project({
      'app/node_modules/rr-plugin-future/package.json': pkg({ name: 'rr-plugin-future', main: 'index.js', ...json }),
      'app/node_modules/rr-plugin-future/index.js': explodes,
    });
    const err = await failure(load(['rr-plugin-future'], config));
    expect(err.code).toBe('RR_ERR_CLI_PLUGIN_KERNEL_MISMATCH');
    expect(err.message).toBe(`plugins.0: plugin 'rr-plugin-future' requires kernel ${range} (${where}), but this rr's kernel is ${KERNEL_VERSION}`);
    expect(err.details).toMatchObject({ path: 'plugins.0', range, kernel: KERNEL_VERSION, package: 'rr-plugin-future' });
    expect(err.hint).toContain('peerDependencies');
  });

  it("from the plugin's own kernel range, naming the file it came from", async () => {
    const { config, dir } = project({ 'old.mjs': pluginModule('oldie', { kernel: '^9.0.0' }) });
    const err = await failure(load(['../old.mjs'], config));
    expect(err.code).toBe('RR_ERR_CLI_PLUGIN_KERNEL_MISMATCH');
    expect(err.message).toContain(`requires kernel ^9.0.0 (plugin 'oldie' of ${join(dir, 'old.mjs')})`);
    expect(err.plugin).toBe('oldie');
  });

  it('agrees with the kernel on what a range means', async () => {
    expect(await kernelAccepts('^1.0.0')).toBe(true);
    expect(await kernelAccepts('>=1 <2')).toBe(true);
    expect(await kernelAccepts('^9')).toBe(false);
    expect(await kernelAccepts('not a range')).toBe(false);
  });
});

describe('every problem at once', () => {
  it('lists a missing package, a missing path, a module without a plugin, a failing import and duplicates', async () => {
    const { config } = project({
      'not-a-plugin.mjs': 'export const answer = 42;\nexport default { name: "nope" };\n',
      'broken.mjs': 'throw new Error("boom at import");\n',
      'empty-dir/README.md': 'nothing\n',
      'dup.mjs': pluginModule('dup'),
      'logs.mjs': pluginModule('logs'),
    });
    const entries = ['rr-plugin-nope', './missing.mjs', '../not-a-plugin.mjs', '../broken.mjs', '../empty-dir', '../dup.mjs', '../dup.mjs', '../logs.mjs'];
    const err = await failure(load(entries, config));
    expect(err.code).toBe('RR_ERR_CLI_PLUGINS_FAILED');
    expect(codes(err)).toEqual([
      'RR_ERR_CLI_PLUGIN_NOT_FOUND',
      'RR_ERR_CLI_PLUGIN_NOT_FOUND',
      'RR_ERR_CLI_PLUGIN_INVALID',
      'RR_ERR_CLI_PLUGIN_LOAD_FAILED',
      'RR_ERR_CLI_PLUGIN_NOT_FOUND',
      'RR_ERR_CLI_PLUGIN_DUPLICATE',
      'RR_ERR_CLI_PLUGIN_DUPLICATE',
    ]);
    const text = formatError(err);
    expect(text).toMatch(/^error\[RR_ERR_CLI_PLUGINS_FAILED\]: 7 configured plugins could not be loaded:/);
    expect(text).toContain("plugins.0: plugin 'rr-plugin-nope' was not found: no package 'rr-plugin-nope' in node_modules of");
    expect(text).toContain("plugins.1: plugin './missing.mjs' was not found:");
    expect(text).toContain("plugins.2: plugin '../not-a-plugin.mjs' exports no plugin: expected a definePlugin() value (or an array of them) as the default or a named export; found answer (number), default (object)");
    expect(text).toContain("plugins.3: plugin '../broken.mjs' failed to load: boom at import");
    expect(text).toContain('is a directory without a package.json');
    expect(text).toContain("plugins.6: plugin '../dup.mjs' has id 'dup', which is also loaded by plugins.5 ('../dup.mjs')");
    expect(text).toContain("plugins.7: plugin '../logs.mjs' has id 'logs', which is compiled into rr");
  });

  it('a single problem is reported as itself', async () => {
    const { config } = project({});
    const err = await failure(load(['rr-plugin-nope'], config));
    expect(err.code).toBe('RR_ERR_CLI_PLUGIN_NOT_FOUND');
    expect(isRrError(err)).toBe(true);
  });
});

describe('rr serve and rr plugins with a plugins list', () => {
  const io = () => {
    const lines: string[] = [];
    return { lines, io: { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), env: {}, cwd: process.cwd(), chdir: () => undefined } };
  };

  it('wires a configured plugin like a compiled-in one and names it before the summary', async () => {
    const { config } = project({
      'plugins/audit.mjs': pluginModule('audit'),
      'app/.rr.yaml': 'version: "3"\nplugins: [../plugins/audit.mjs]\naudit: { level: 2 }\nlogs: { level: error }\n',
    });
    const { io: sink, lines } = io();
    const { kernel, configured } = await startServer(parseCli(['serve', '-c', config]).flags, [logsPlugin], sink);
    try {
      expect(configured.map((c) => c.plugin.id)).toEqual(['audit']);
      expect(kernel.report().find((p) => p.id === 'audit')?.state).toBe('serving');
      expect(lines).toEqual(['rr: plugins from config: audit (../plugins/audit.mjs)', 'rr: 2 plugin(s) enabled: logs, audit']);
    } finally {
      await kernel.stop();
    }
  });

  it('fails to start with the loading error, before any plugin runs', async () => {
    const { config } = project({ 'app/.rr.yaml': 'version: "3"\nplugins: [rr-plugin-nope]\n' });
    const { io: sink } = io();
    const err = await failure(startServer(parseCli(['serve', '-c', config]).flags, [logsPlugin], sink));
    expect(err.code).toBe('RR_ERR_CLI_PLUGIN_NOT_FOUND');
  });

  it('rr plugins lists compiled-in and configured plugins with package and version', async () => {
    const { config } = project({
      'app/.rr.yaml': 'version: "3"\nplugins: [rr-plugin-up]\n',
      'node_modules/rr-plugin-up/package.json': pkg({ name: 'rr-plugin-up', main: 'index.js' }),
      'node_modules/rr-plugin-up/index.js': pluginModule('up'),
    });
    const demo = definePlugin({ id: 'demo', kernel: '^1.0.0', init: () => ({}) });
    const text = await pluginsTable(parseCli(['plugins', '-c', config]).flags, { name: 'rr', version: '9.9.9', plugins: [demo] }, { cwd: process.cwd(), env: {} });
    expect(text.split('\n')).toEqual([
      `rr 9.9.9 (kernel ${KERNEL_VERSION}): 2 plugins`,
      '+------+-------------------------+--------------+---------+',
      '| id   | from                    | package      | version |',
      '+------+-------------------------+--------------+---------+',
      '| demo | compiled in             |              |         |',
      '| up   | plugins.0: rr-plugin-up | rr-plugin-up | 1.2.3   |',
      '+------+-------------------------+--------------+---------+',
    ]);
  });

  it('rr plugins without a config lists the compiled-in ones; a config named with -c must exist', async () => {
    const { dir } = project({});
    const demo = definePlugin({ id: 'demo', kernel: '^1.0.0', init: () => ({}) });
    const dist = { name: 'rr', version: '1.0.0', plugins: [demo] };
    expect(await pluginsTable(parseCli(['plugins']).flags, dist, { cwd: dir, env: {} })).toContain('| demo | compiled in |');
    const err = await failure(pluginsTable(parseCli(['plugins', '-c', 'nope.yaml']).flags, dist, { cwd: dir, env: {} }));
    expect(err.code).toMatch(/^RR_ERR_CONFIG_/);
  });
});
