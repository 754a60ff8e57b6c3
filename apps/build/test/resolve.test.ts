import { join } from 'node:path';
import type { RrError } from '@rr/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { buildErrors, createWorkDir, inspectPlugins, parseBuildConfig, resolveDistribution, type BuildConfig, type Resolution } from '../src/index.js';
import { configText, fixture, plugin, type Fixture } from './fixture.js';

let f: Fixture | undefined;
afterEach(() => {
  f?.remove();
  f = undefined;
});

const cfgOf = (fx: Fixture, plugins: string, extra = ''): BuildConfig => parseBuildConfig(configText(plugins, extra), join(fx.app, 'rr-build.yaml'));

async function rejection(p: Promise<unknown>): Promise<RrError> {
  try {
    await p;
  } catch (err) {
    return err as RrError;
  }
  throw new Error('expected a rejection');
}

async function inspect(resolution: Resolution) {
  const work = createWorkDir(resolution);
  try {
    return await inspectPlugins(resolution, work);
  } finally {
    work.remove();
  }
}

describe('resolution', () => {
  it('finds the runtime, the plugins and the kernel from the config directory', async () => {
    f = fixture();
    plugin(f, 'rr-plugin-alpha', 'alpha', { version: '1.2.0' });
    plugin(f, '@acme/rr-beta', 'beta');
    const r = await resolveDistribution(cfgOf(f, '  - { package: rr-plugin-alpha, version: ^1.1.0 }\n  - "@acme/rr-beta"'));
    expect(r.runtime).toMatchObject({ name: 'fake-rr', version: '2.3.4', via: 'node' });
    expect(r.plugins.map((p) => [p.name, p.version, p.via, p.range])).toEqual([
      ['rr-plugin-alpha', '1.2.0', 'node', '^1.1.0'],
      ['@acme/rr-beta', '1.0.0', 'node', undefined],
    ]);
    expect(r.kernel).toMatchObject({ name: '@rr/kernel', version: '1.4.0' });
    expect(r.install).toBeUndefined();
    const ins = await inspect(r);
    expect(ins).toEqual({ kernelVersion: '1.4.0', plugins: [{ package: 'rr-plugin-alpha', id: 'alpha', kernel: '^1.0.0' }, { package: '@acme/rr-beta', id: 'beta', kernel: '^1.0.0' }] });
  });

  it('--from moves where names resolve from; a path wins over node resolution', async () => {
    f = fixture();
    const elsewhere = join(f.root, 'elsewhere');
    const local = plugin(f, 'rr-plugin-alpha', 'alpha', { version: '3.0.0', at: join(f.root, 'vendor') });
    f.file('elsewhere/package.json', '{}');
    const cfg = parseBuildConfig(configText(`  - { package: rr-plugin-alpha, path: ${local} }`), join(elsewhere, 'rr-build.yaml'));
    const err = await rejection(resolveDistribution(cfg));
    expect(err.code).toBe(buildErrors.PACKAGE_NOT_FOUND.code);
    expect(err.message).toBe(`fake-rr cannot be resolved from ${elsewhere}`);
    const r = await resolveDistribution(cfg, { from: f.app });
    expect(r.plugins[0]).toMatchObject({ name: 'rr-plugin-alpha', version: '3.0.0', via: 'path' });
  });

  it('an unresolvable package without a range is RR_ERR_BUILD_PACKAGE_NOT_FOUND; several problems come together', async () => {
    f = fixture();
    plugin(f, 'rr-plugin-alpha', 'alpha', { version: '1.0.0' });
    expect((await rejection(resolveDistribution(cfgOf(f, '  - rr-plugin-missing')))).code).toBe(buildErrors.PACKAGE_NOT_FOUND.code);
    const err = await rejection(resolveDistribution(cfgOf(f, `  - rr-plugin-missing\n  - { package: rr-plugin-alpha, version: ^2.0.0 }\n  - { package: rr-plugin-gamma, path: ${f.root} }`)));
    expect(err.code).toBe(buildErrors.RESOLVE_FAILED.code);
    expect((err.details.problems as { code: string }[]).map((p) => p.code)).toEqual([buildErrors.PACKAGE_NOT_FOUND.code, buildErrors.PATH_NOT_A_PACKAGE.code, buildErrors.VERSION_MISMATCH.code]);
  });

  it('refuses a resolved version outside the range (the resolved-version check), with install off as well', async () => {
    f = fixture();
    const dir = plugin(f, 'rr-plugin-alpha', 'alpha', { version: '1.0.0' });
    for (const install of [true, false]) {
      const err = await rejection(resolveDistribution(cfgOf(f, '  - { package: rr-plugin-alpha, version: ^2.0.0 }'), { install }));
      expect(err.code).toBe(buildErrors.VERSION_MISMATCH.code);
      expect(err.message).toBe(`rr-plugin-alpha resolved to 1.0.0 (${dir}), which does not satisfy ^2.0.0`);
    }
  });

  it('a path must hold the named package', async () => {
    f = fixture();
    const other = plugin(f, 'rr-plugin-other', 'other');
    const err = await rejection(resolveDistribution(cfgOf(f, `  - { package: rr-plugin-alpha, path: ${other} }`)));
    expect(err.code).toBe(buildErrors.PATH_NOT_A_PACKAGE.code);
    expect(err.message).toContain('its package.json names rr-plugin-other');
  });

  it('refuses mixed kernel majors (a plugin carrying its own @rr/kernel 2.x)', async () => {
    f = fixture();
    const dir = plugin(f, 'rr-plugin-new', 'new', { kernel: '^2.0.0' });
    f.pkg('@rr/kernel', '2.0.0', { 'index.js': "export const KERNEL_VERSION = '2.0.0';\n" }, {}, dir);
    plugin(f, 'rr-plugin-alpha', 'alpha');
    const err = await rejection(resolveDistribution(cfgOf(f, '  - rr-plugin-alpha\n  - rr-plugin-new')));
    expect(err.code).toBe(buildErrors.MIXED_MAJORS.code);
    expect(err.message).toBe('the distribution would mix @rr/kernel majors: fake-rr → @rr/kernel 1.4.0, rr-plugin-alpha → @rr/kernel 1.4.0, rr-plugin-new → @rr/kernel 2.0.0');
  });

  it('checks the config kernel range and peerDependencies against the resolved kernel', async () => {
    f = fixture();
    plugin(f, 'rr-plugin-alpha', 'alpha', { extra: { peerDependencies: { '@rr/kernel': '^1.5.0' } } });
    const err = await rejection(resolveDistribution(cfgOf(f, '  - rr-plugin-alpha', 'kernel: ^2.0.0')));
    expect(err.code).toBe(buildErrors.RESOLVE_FAILED.code);
    expect(err.details.problems).toEqual([
      { code: buildErrors.KERNEL_MISMATCH.code, message: 'the build config needs kernel ^2.0.0, but the resolved @rr/kernel is 1.4.0' },
      { code: buildErrors.KERNEL_MISMATCH.code, message: 'rr-plugin-alpha (peerDependencies) needs kernel ^1.5.0, but the resolved @rr/kernel is 1.4.0' },
    ]);
  });

  it('an override path replaces the package for everyone, a version override is checked', async () => {
    f = fixture();
    plugin(f, 'rr-plugin-alpha', 'alpha', { version: '1.0.0' });
    const patched = plugin(f, 'rr-plugin-alpha', 'alpha', { version: '1.0.1', at: join(f.root, 'patched') });
    const r = await resolveDistribution(cfgOf(f, '  - rr-plugin-alpha', `overrides:\n  rr-plugin-alpha: ${patched}`));
    expect(r.plugins[0]).toMatchObject({ version: '1.0.1', via: 'override' });
    expect(r.overrides.get('rr-plugin-alpha')?.dir).toBe(patched);
    const err = await rejection(resolveDistribution(cfgOf(f, '  - rr-plugin-alpha', 'overrides:\n  "@rr/kernel": ^9.0.0'), { install: false }));
    expect(err.code).toBe(buildErrors.VERSION_MISMATCH.code);
    expect(err.message).toMatch(/^@rr\/kernel resolved to 1\.4\.0 .* does not satisfy \^9\.0\.0$/);
  });

  it('an unresolvable package with a range goes to npm install in the cache; a failed install is RR_ERR_BUILD_INSTALL_FAILED', async () => {
    f = fixture();
    const cacheDir = join(f.root, 'cache');
    // An unreachable registry: the install fails fast and offline, through the real npm.
    const env = { ...process.env };
    process.env.npm_config_registry = 'http://127.0.0.1:9/';
    process.env.npm_config_fetch_retries = '0';
    process.env.npm_config_fetch_timeout = '2000';
    try {
      const err = await rejection(resolveDistribution(cfgOf(f, '  - { package: rr-plugin-not-installed, version: ^1.0.0 }'), { cacheDir }));
      expect(err.code).toBe(buildErrors.INSTALL_FAILED.code);
      expect(err.message).toMatch(/^npm install rr-plugin-not-installed@\^1\.0\.0 in .*cache\/[0-9a-f]{16} failed: /);
    } finally {
      for (const k of ['npm_config_registry', 'npm_config_fetch_retries', 'npm_config_fetch_timeout']) {
        if (env[k] === undefined) delete process.env[k];
        else process.env[k] = env[k];
      }
    }
  }, 60_000);
});

describe('plugin inspection', () => {
  it('refuses a default export that is not a plugin, a kernel range that excludes the kernel, and duplicate ids', async () => {
    f = fixture();
    f.pkg('rr-plugin-text', '1.0.0', { 'index.js': "export default 'not a plugin';\n" });
    plugin(f, 'rr-plugin-future', 'future', { kernel: '^2.0.0' });
    plugin(f, 'rr-plugin-a', 'same');
    plugin(f, 'rr-plugin-b', 'same');
    plugin(f, 'rr-plugin-manifest', 'manifest', { extra: { rr: { kernel: '>=1.5.0' } } });
    const r = await resolveDistribution(cfgOf(f, '  - rr-plugin-text\n  - rr-plugin-future\n  - rr-plugin-a\n  - rr-plugin-b\n  - rr-plugin-manifest'));
    const err = await rejection(inspect(r));
    expect(err.code).toBe(buildErrors.RESOLVE_FAILED.code);
    expect(err.details.problems).toEqual([
      { code: buildErrors.NOT_A_PLUGIN.code, message: 'rr-plugin-text does not export an rr plugin: the default export is string' },
      { code: buildErrors.KERNEL_MISMATCH.code, message: 'rr-plugin-future (plugin "future") needs kernel ^2.0.0, but the resolved @rr/kernel is 1.4.0' },
      { code: buildErrors.KERNEL_MISMATCH.code, message: 'rr-plugin-manifest (package.json rr.kernel) needs kernel >=1.5.0, but the resolved @rr/kernel is 1.4.0' },
      { code: buildErrors.DUPLICATE_PLUGIN_ID.code, message: 'plugin id "same" comes from more than one package: rr-plugin-a, rr-plugin-b' },
    ]);
  });

  it('a plugin that throws at import is RR_ERR_BUILD_INSPECT_FAILED with its error', async () => {
    f = fixture();
    f.pkg('rr-plugin-broken', '1.0.0', { 'index.js': "throw new Error('boom at import');\n" });
    const err = await rejection(inspect(await resolveDistribution(cfgOf(f, '  - rr-plugin-broken'))));
    expect(err.code).toBe(buildErrors.INSPECT_FAILED.code);
    expect(err.message).toContain('rr-plugin-broken: Error: boom at import');
  });
});

describe('the rr manifest', () => {
  it('rr.export picks the plugin export; rr.apiVersion must be the kernel major', async () => {
    f = fixture();
    f.pkg('rr-plugin-named', '1.0.0', { 'index.js': "export const namedPlugin = { id: 'named', kernel: '^1.0.0', init() {} };\nexport default 'not this';\n" }, { rr: { apiVersion: 1, id: 'named', export: 'namedPlugin' } });
    const r = await resolveDistribution(cfgOf(f, '  - rr-plugin-named'));
    expect(r.plugins[0]?.export).toBe('namedPlugin');
    expect((await inspect(r)).plugins).toEqual([{ package: 'rr-plugin-named', id: 'named', kernel: '^1.0.0' }]);
    const wrongExport = await resolveDistribution(cfgOf(f, '  - { package: rr-plugin-named, export: otherPlugin }'));
    expect((await rejection(inspect(wrongExport))).message).toBe('rr-plugin-named does not export an rr plugin: export otherPlugin is missing');

    f.pkg('rr-plugin-v2', '1.0.0', { 'index.js': "export default { id: 'v2', kernel: '^1.0.0', init() {} };\n" }, { rr: { apiVersion: 2 } });
    const err = await rejection(resolveDistribution(cfgOf(f, '  - rr-plugin-v2')));
    expect(err.message).toBe('rr-plugin-v2 (package.json rr.apiVersion 2) needs kernel 2.x, but the resolved @rr/kernel is 1.4.0');
  });
});
