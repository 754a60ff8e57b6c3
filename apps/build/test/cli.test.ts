import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { buildErrors, HELP, runBuildCli, type BuildReport } from '../src/index.js';
import { configText, fixture, plugin, type Fixture } from './fixture.js';

const run = promisify(execFile);
let f: Fixture | undefined;
afterEach(() => {
  f?.remove();
  f = undefined;
});

async function cli(argv: string[], cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBuildCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), cwd, version: '9.9.9' });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rr-build command line', () => {
  it('--help, --version, and no command', async () => {
    expect(await cli(['--help'])).toEqual({ code: 0, out: HELP, err: '' });
    expect(await cli(['-v'])).toEqual({ code: 0, out: 'rr-build 9.9.9', err: '' });
    expect((await cli([])).code).toBe(1);
  });

  it('usage errors are RR_ERR_BUILD_USAGE with a hint', async () => {
    for (const argv of [['frobnicate'], ['build', '--bogus'], ['build', '--format', 'zip'], ['build', 'extra']]) {
      const r = await cli(argv);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^rr-build: ${buildErrors.USAGE.code}: .+\\n  hint: run rr-build --help$`));
    }
  });

  it('a missing config prints its code and exits 1', async () => {
    f = fixture();
    const r = await cli(['build'], f.app);
    expect(r).toMatchObject({ code: 1, out: '' });
    expect(r.err).toContain(`${buildErrors.CONFIG_NOT_FOUND.code}: build config not found: ${join(f.app, 'rr-build.yaml')}`);
  });

  it('build prints the table (or the report with --json) and the steps on stderr', async () => {
    f = fixture();
    plugin(f, 'rr-plugin-alpha', 'alpha');
    f.file('app/rr-build.yaml', configText('  - rr-plugin-alpha'));
    const r = await cli(['build', '-o', '../out'], f.app);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('fake 0.9.0');
    expect(lines.map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['fake 0.9.0', 'artifact', 'size', 'plugins', 'kernel', 'packages', 'left out', 'smoke', 'time']);
    expect(r.out).toContain(`artifact  ${join(f.root, 'out/fake.mjs')} (file)`);
    expect(r.out).toContain('plugins   alpha (rr-plugin-alpha@1.0.0)');
    expect(r.err.split('\n').map((l) => l.split(':')[1]?.trim().split(' ')[0])).toEqual(['resolving', 'importing', 'bundling', 'smoke']);

    const j = await cli(['build', '-o', '../out2', '--no-smoke', '--json', '--format', 'dir'], f.app);
    const report = JSON.parse(j.out) as BuildReport;
    expect(report).toMatchObject({ format: 'dir', smoke: { ok: false, skipped: true }, artifact: join(f.root, 'out2/fake.mjs') });
    expect(JSON.parse(readFileSync(join(f.root, 'out2/build-report.json'), 'utf8'))).toEqual(report);
  });

  it('generate --plugins writes, generate --check fails with RR_ERR_BUILD_GENERATED_STALE once the file drifts', async () => {
    f = fixture();
    f.file('app/rr-build.yaml', 'name: rr\nversion: 1.0.0\nplugins: [a, b]\n');
    expect(await cli(['generate', '--plugins', 'src/plugins.ts'], f.app)).toEqual({ code: 0, out: `wrote ${join(f.app, 'src/plugins.ts')}`, err: '' });
    expect((await cli(['generate', '--plugins', 'src/plugins.ts', '--check'], f.app)).code).toBe(0);
    f.file('app/rr-build.yaml', 'name: rr\nversion: 1.0.0\nplugins: [a, b, c]\n');
    const stale = await cli(['generate', '--plugins', 'src/plugins.ts', '--check'], f.app);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain(buildErrors.GENERATED_STALE.code);
  });

  const bin = join(import.meta.dirname, '../dist/main.js');
  it.skipIf(!existsSync(bin))('the built binary runs (dist/main.js, when built)', async () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    const { stdout } = await run(process.execPath, [bin, '--help']);
    expect(stdout.trim()).toBe(HELP);
  });
});
