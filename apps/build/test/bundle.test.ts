import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { RrError } from '@rr/errors';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDistribution, buildErrors, bundle, HEAVY_DEPENDENCIES, parseBuildConfig, smokeTest, type BuildReport } from '../src/index.js';
import { configText, fixture, plugin, rrApp, type Fixture } from './fixture.js';

const run = promisify(execFile);
let f: Fixture | undefined;
afterEach(() => {
  f?.remove();
  f = undefined;
});

async function rejection(p: Promise<unknown>): Promise<RrError> {
  try {
    await p;
  } catch (err) {
    return err as RrError;
  }
  throw new Error('expected a rejection');
}

/**
 * Two plugins whose dependencies read files next to their own code at import: a CommonJS one through
 * `${__dirname}` (as grpc-health-check loads its .proto) and an ESM one through new URL(…, import.meta.url).
 */
function locationFixture(): Fixture {
  const fx = fixture();
  fx.pkg(
    'cjs-reader',
    '1.0.0',
    {
      'lib/index.js': "const { readFileSync } = require('fs');\nconst path = require('path');\n// __dirname in a comment is left alone\nmodule.exports = readFileSync(path.join(__dirname, '../data/greeting.txt'), 'utf8').trim();\n",
      'lib/worker.js': 'module.exports = 1;\n',
      'data/greeting.txt': 'hello from next to the code\n',
    },
    { type: 'commonjs', exports: undefined, main: 'lib/index.js' },
  );
  fx.pkg('esm-reader', '1.0.0', {
    'index.js': "import { readFileSync } from 'node:fs';\nexport default JSON.parse(readFileSync(new URL('./data/answer.json', import.meta.url), 'utf8')).answer;\n",
    'data/answer.json': '{ "answer": 42 }',
  });
  plugin(fx, 'rr-plugin-alpha', 'alpha', { body: "import greeting from 'cjs-reader';\nimport answer from 'esm-reader';\nconst shows = { greeting, answer };" });
  plugin(fx, 'rr-plugin-beta', 'beta', { version: '1.3.0' });
  return fx;
}

describe('building a distribution (fake runtime and plugins)', () => {
  it('file format: one executable that answers --version, with the assets its dependencies read next to it', async () => {
    f = locationFixture();
    const elsewhere = fixture();
    const out = join(elsewhere.root, 'out');
    const cfg = parseBuildConfig(configText('  - rr-plugin-alpha\n  - { package: rr-plugin-beta, version: ^1.0.0 }'), join(f.app, 'rr-build.yaml'));
    const report = await buildDistribution(cfg, { outDir: out });

    const artifact = join(out, 'fake.mjs');
    expect(report).toMatchObject({ name: 'fake', version: '0.9.0', format: 'file', artifact, bytes: statSync(artifact).size, smoke: { ok: true, plugins: ['alpha', 'beta'] } });
    expect(statSync(artifact).mode & 0o111).not.toBe(0);
    expect(readFileSync(artifact, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(report.plugins.map((p) => [p.id, p.package, p.version, p.kernel, p.via])).toEqual([
      ['alpha', 'rr-plugin-alpha', '1.0.0', '^1.0.0', 'node'],
      ['beta', 'rr-plugin-beta', '1.3.0', '^1.0.0', 'node'],
    ]);
    expect(report.kernel).toEqual({ package: '@rr/kernel', version: '1.4.0', contract: '1.4.0' });
    expect(report.bundledPackages.map((p) => p.name)).toEqual(['@rr/kernel', 'cjs-reader', 'esm-reader', 'fake-rr', 'rr-plugin-alpha', 'rr-plugin-beta']);
    expect(report.bundledPackageCount).toBe(6);
    expect(report.heavy).toEqual({ included: [], omitted: [...HEAVY_DEPENDENCIES] });
    expect(report.relocated).toEqual([
      { package: 'cjs-reader', version: '1.0.0', file: 'lib/index.js', uses: ['__dirname'], copies: ['data/greeting.txt'] },
      { package: 'esm-reader', version: '1.0.0', file: 'index.js', uses: ['import.meta.url'], copies: ['data/answer.json'] },
    ]);
    expect(report.assets?.packages.map((a) => [a.package, a.files])).toEqual([
      ['cjs-reader@1.0.0', 2],
      ['esm-reader@1.0.0', 2],
    ]);
    expect(existsSync(join(out, 'fake.assets/cjs-reader@1.0.0/data/greeting.txt'))).toBe(true);
    expect(report.totalBytes).toBe(report.bytes + (report.assets?.bytes ?? 0));
    expect(JSON.parse(readFileSync(join(out, 'build-report.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));

    // The sources can go away: the bundle and its assets are all it needs, from any working directory.
    f.remove();
    try {
      const { stdout } = await run(artifact, ['show'], { cwd: elsewhere.app });
      expect(stdout).toBe('alpha: {"greeting":"hello from next to the code","answer":42}\nbeta: null\n');
    } finally {
      elsewhere.remove();
    }
  });

  it('dir format: package.json, rr-build.lock.json, a linked source map and --enable-source-maps in debug', async () => {
    f = locationFixture();
    const out = join(f.root, 'dist');
    const cfg = parseBuildConfig(configText('  - rr-plugin-beta', 'debug: true\noutput: { format: dir, node_flags: [--max-semi-space-size=4] }'), join(f.app, 'rr-build.yaml'));
    const report = await buildDistribution(cfg, { outDir: out });
    expect(report.format).toBe('dir');
    expect(readFileSync(join(out, 'fake.mjs'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env -S node --max-semi-space-size=4 --enable-source-maps');
    expect(existsSync(join(out, 'fake.mjs.map'))).toBe(true);
    expect(report.totalBytes).toBe(report.bytes + statSync(join(out, 'fake.mjs.map')).size);
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toMatchObject({
      name: 'fake',
      version: '0.9.0',
      type: 'module',
      bin: { fake: './fake.mjs' },
      rr: { plugins: [{ package: 'rr-plugin-beta', version: '1.3.0', id: 'beta' }] },
    });
    const lock = JSON.parse(readFileSync(join(out, 'rr-build.lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    expect(Object.keys(lock.packages)).toEqual(['@rr/kernel@1.4.0', 'fake-rr@2.3.4', 'rr-plugin-beta@1.3.0']);
    // Not minified in debug: the plugin's source is readable in the bundle.
    expect(readFileSync(join(out, 'fake.mjs'), 'utf8')).toContain("id: \"beta\"");
  });

  it('an override redirects every importer to one copy; without it both copies are reported', async () => {
    f = fixture();
    const a = plugin(f, 'rr-plugin-a', 'a', { body: "import v from 'shared-dep';\nconst shows = v;" });
    f.pkg('shared-dep', '1.0.0', { 'index.js': "export default 'v1';\n" }, {}, a);
    const v2 = f.pkg('shared-dep', '2.0.0', { 'index.js': "export default 'v2';\n" });
    plugin(f, 'rr-plugin-b', 'b', { body: "import v from 'shared-dep';\nconst shows = v;" });
    const plain = await buildDistribution(parseBuildConfig(configText('  - rr-plugin-a\n  - rr-plugin-b'), join(f.app, 'rr-build.yaml')), { outDir: join(f.root, 'o1') });
    expect(plain.duplicates).toEqual([{ name: 'shared-dep', copies: [{ version: '1.0.0', dir: join(a, 'node_modules/shared-dep') }, { version: '2.0.0', dir: v2 }] }]);
    expect((await run(plain.artifact, ['show'])).stdout).toBe('a: "v1"\nb: "v2"\n');

    const pinned = await buildDistribution(parseBuildConfig(configText('  - rr-plugin-a\n  - rr-plugin-b', `overrides:\n  shared-dep: ${v2}`), join(f.app, 'rr-build.yaml')), { outDir: join(f.root, 'o2') });
    expect(pinned.duplicates).toEqual([]);
    expect(pinned.bundledPackages.filter((p) => p.name === 'shared-dep')).toEqual([expect.objectContaining({ version: '2.0.0' })]);
    expect((await run(pinned.artifact, ['show'])).stdout).toBe('a: "v2"\nb: "v2"\n');
  });

  it('an unbundleable import is RR_ERR_BUILD_BUNDLE_FAILED with esbuild\'s message', async () => {
    f = fixture();
    const entry = f.file('work/entry.mjs', "import x from 'no-such-package';\nconsole.log(x);\n");
    const err = await rejection(
      bundle({ entryFile: entry, workDir: join(f.root, 'work'), redirect: [], outFile: join(f.root, 'out/x.mjs'), assetsDir: 'x.assets', minify: false, sourcemap: false, nodeFlags: [], info: { name: 'x', version: '1.0.0', time: '', plugins: [] } }),
    );
    expect(err.code).toBe(buildErrors.BUNDLE_FAILED.code);
    expect(err.message).toContain('Could not resolve "no-such-package"');
  });
});

describe('smoke test', () => {
  const script = (fx: Fixture, name: string, body: string) => {
    const file = fx.file(name, `#!/usr/bin/env node\n${body}\n`);
    return run('chmod', ['+x', file]).then(() => file);
  };

  it('requires exactly the configured plugins, in order', async () => {
    f = fixture();
    const ok = await script(f, 'ok.mjs', "console.log('x version 1.0.0 (kernel 1.0.0)\\nplugins: a, b');");
    expect(await smokeTest(ok, { name: 'x', version: '1.0.0', plugins: ['a', 'b'] })).toMatchObject({ plugins: ['a', 'b'], versionLine: 'x version 1.0.0 (kernel 1.0.0)' });
    const err = await rejection(smokeTest(ok, { name: 'x', version: '1.0.0', plugins: ['b', 'a', 'c'] }));
    expect(err.code).toBe(buildErrors.SMOKE_MISMATCH.code);
    expect(err.message).toBe('--version lists plugins [a, b], expected exactly [b, a, c]');
    expect((await rejection(smokeTest(ok, { name: 'y', version: '1.0.0', plugins: ['a', 'b'] }))).code).toBe(buildErrors.SMOKE_FAILED.code);
  });

  it('a crash or a hang fails it', async () => {
    f = fixture();
    const crash = await script(f, 'crash.mjs', "console.error('ReferenceError: __dirname is not defined'); process.exit(1);");
    const err = await rejection(smokeTest(crash, { name: 'x', version: '1.0.0', plugins: [] }));
    expect(err.code).toBe(buildErrors.SMOKE_FAILED.code);
    expect(err.message).toContain('ReferenceError: __dirname is not defined');
    const hang = await script(f, 'hang.mjs', 'setInterval(() => {}, 1000);');
    const slow = await rejection(smokeTest(hang, { name: 'x', version: '1.0.0', plugins: [] }, 300));
    expect(slow.message).toContain('no answer within 300 ms');
  });
});

describe('a real distribution from the workspace', () => {
  let report: BuildReport;

  it('logs + server + http: bundles, answers --version with exactly those plugins, carries none of the heavy dependencies', async () => {
    f = fixture();
    const cfgFile = join(f.root, 'rr-build.yaml');
    writeFileSync(cfgFile, 'name: rr-lite\nversion: 1.0.0\nkernel: ^1.0.0\nplugins:\n  - "@rr/plugin-logs"\n  - "@rr/plugin-server"\n  - "@rr/plugin-http"\n');
    report = await buildDistribution(parseBuildConfig(readFileSync(cfgFile, 'utf8'), cfgFile), { from: rrApp, outDir: join(f.root, 'out') });
    expect(report.smoke).toMatchObject({ ok: true, plugins: ['logs', 'server', 'http'] });
    expect(report.plugins.map((p) => p.package)).toEqual(['@rr/plugin-logs', '@rr/plugin-server', '@rr/plugin-http']);
    expect(report.runtime.package).toBe('@rr/cli');
    const names = report.bundledPackages.map((p) => p.name);
    for (const heavy of ['@grpc/grpc-js', '@grpc/proto-loader', 'grpc-health-check', 'amqplib', '@nats-io/transport-node', 'ioredis', 'prom-client']) expect(names).not.toContain(heavy);
    expect(names).toEqual(expect.arrayContaining(['fastify', 'zod', '@rr/kernel', '@rr/plugin-http']));
    expect(names.filter((n) => n.startsWith('@rr/plugin-')).sort()).toEqual(['@rr/plugin-http', '@rr/plugin-logs', '@rr/plugin-server']);
    const { stdout } = await run(report.artifact, ['--version']);
    expect(stdout).toMatch(/^rr-lite version 1\.0\.0 \(kernel \d+\.\d+\.\d+, node .*\)\nplugins: logs, server, http\n$/);
  }, 120_000);
});
