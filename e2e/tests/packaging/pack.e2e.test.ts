import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFromTarballs, packPublicPackages, serveInstalled, type Manifest, type PackedPackage, type ServingRr } from '../../helpers/packages.js';
import { phpSdk, rrBin } from '../../helpers/paths.js';
import { minimalHttpConfig } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';

// What a user gets from npm: every public package packed by pnpm (as `pnpm publish` packs it), installed
// into a project outside the monorepo, and the installed `rr` serving a PHP worker. Nothing here resolves
// to the workspace: @rr/* come from the tarballs (pnpm.overrides), the rest from the pnpm store.
const work = mkdtempSync(join(tmpdir(), 'rr-packaging-'));
const packs = join(work, 'packs');
const project = join(work, 'project');
let packed: PackedPackage[] = [];
let install: Awaited<ReturnType<typeof installFromTarballs>>;
let rr: ServingRr | undefined;

beforeAll(async () => {
  for (const dir of [packs, project]) mkdirSync(dir);
  packed = await packPublicPackages(packs);
  const cli = packed.find((p) => p.manifest.name === '@rr/cli');
  if (!cli) throw new Error('@rr/cli was not packed');
  install = await installFromTarballs(project, packed, { '@rr/cli': `^${cli.manifest.version}` }, 60_000);
}, 90_000);

afterAll(async () => {
  await rr?.stop();
  rmSync(work, { recursive: true, force: true });
});

const rangeFields = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;

describe('pnpm -r pack', () => {
  it('packs every public package', () => {
    expect(packed.map((p) => p.manifest.name)).toEqual(expect.arrayContaining(['@rr/kernel', '@rr/cli', '@rr/plugin-http', '@rr/plugin-server']));
    expect(readdirSync(packs).sort()).toEqual(packed.map((p) => p.tarball.slice(packs.length + 1)).sort());
  });

  it('ships the built dist, the README and schema.json where there is one; never src or tests', () => {
    for (const p of packed) {
      const where = `${p.manifest.name} (${p.tarball})`;
      expect(p.entries, where).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
      expect(p.entries.filter((e) => /^(src|test)\//.test(e)), where).toEqual([]);
      const hasSchema = readdirSync(p.dir).includes('schema.json');
      expect(p.entries.includes('schema.json'), where).toBe(hasSchema);
      for (const bin of Object.values(p.packed.bin ?? {})) expect(p.entries, where).toContain(bin.replace(/^\.\//, ''));
    }
  });

  it('replaces workspace: and catalog: ranges with real ones and drops the @rr/source condition', () => {
    for (const p of packed) {
      for (const field of rangeFields) {
        for (const [dep, range] of Object.entries(p.packed[field] ?? {})) {
          expect(range, `${p.manifest.name} ${field}.${dep}`).not.toMatch(/^(workspace|catalog):/);
          if (dep.startsWith('@rr/')) {
            const target = packed.find((q) => q.manifest.name === dep);
            expect(target, `${p.manifest.name} needs ${dep}, which is not published`).toBeDefined();
            expect(range).toBe(`^${target?.manifest.version ?? ''}`);
          }
        }
      }
      expect(JSON.stringify(p.packed.exports ?? {}), p.manifest.name).not.toContain('@rr/source');
      expect(JSON.stringify(p.packed.exports ?? {}), p.manifest.name).not.toContain('./src/');
    }
  });

  it('makes plugins share the host’s kernel: a peer dependency, not their own copy', () => {
    for (const p of packed.filter((q) => q.manifest.name.startsWith('@rr/plugin-'))) {
      expect(p.packed.peerDependencies?.['@rr/kernel'], p.manifest.name).toMatch(/^\^\d+\.\d+\.\d+$/);
      expect(p.packed.dependencies?.['@rr/kernel'], p.manifest.name).toBeUndefined();
    }
  });
});

describe('a project that installs @rr/cli from the tarballs', () => {
  const bin = () => join(project, 'node_modules/.bin/rr');

  it('installs with pnpm, every @rr package from its tarball and one kernel for all', () => {
    expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
    const store = readdirSync(join(project, 'node_modules/.pnpm'));
    const ours = store.filter((d) => d.startsWith('@rr+'));
    expect(ours.length).toBeGreaterThan(5);
    // "@rr+kernel@file+..." : resolved from a tarball, never from a registry or a workspace link.
    for (const dir of ours) expect(dir, dir).toMatch(/^@rr\+[a-z0-9-]+@file\+/);
    expect(ours.filter((d) => d.startsWith('@rr+kernel@'))).toHaveLength(1);
    const cli = JSON.parse(readFileSync(join(project, 'node_modules/@rr/cli/package.json'), 'utf8')) as Manifest;
    expect(cli.version).toBe(packed.find((p) => p.manifest.name === '@rr/cli')?.manifest.version);
  });

  it('rr --version names the same plugins as the workspace build, each from an installed plugin package', async () => {
    const installed = await run(bin(), ['--version'], { cwd: project });
    const built = await run(rrBin, ['--version']);
    expect(installed.code, installed.stderr).toBe(0);
    const pluginsLine = (text: string) => text.split('\n').find((l) => l.startsWith('plugins: ')) ?? '';
    expect(pluginsLine(installed.stdout)).toBe(pluginsLine(built.stdout));
    const ids = pluginsLine(installed.stdout).slice('plugins: '.length).split(', ');
    expect(ids).toEqual(expect.arrayContaining(['logs', 'rpc', 'server', 'http', 'kv', 'jobs']));
    const scope = join(project, 'node_modules/.pnpm/node_modules/@rr');
    const manifests = readdirSync(scope)
      .filter((d) => d.startsWith('plugin-'))
      .map((d) => JSON.parse(readFileSync(join(scope, d, 'package.json'), 'utf8')) as Manifest);
    for (const id of ids) expect(manifests.some((m) => m.rr?.id === id), `no installed plugin package has rr.id "${id}"`).toBe(true);
  });

  it('serves HTTP from a PHP worker through the installed rr', async () => {
    const config = join(project, '.rr.yaml');
    writeFileSync(
      config,
      minimalHttpConfig(`${phpSdk}/examples/http-worker.php`),
    );
    rr = await serveInstalled(bin(), config, project);
    const res = await fetch(`${rr.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
    const echoed = (await (await fetch(`${rr.httpUrl}/echo?from=tarball`)).json()) as { query: Record<string, string> };
    expect(echoed.query).toEqual({ from: 'tarball' });
    await rr.stop();
    expect(rr.child.exitCode).toBe(0);
  });
});
