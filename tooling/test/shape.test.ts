import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, workspacePackages, type WorkspacePackage } from './workspace.js';

// What publishing needs (docs/releasing.md): every package under apps/, packages/ and plugins/ is its own
// npm package, installable from its tarball alone; e2e/tests/packaging proves it end to end.
const all = workspacePackages();
const publishable = all.filter((p) => p.group === 'packages' || p.group === 'plugins' || p.group === 'apps');
const plugins = publishable.filter((p) => p.group === 'plugins');
const rows = (list: WorkspacePackage[]) => list.map((p) => [p.rel, p] as const);

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as WorkspacePackage['json'];
const rootJson = readJson(join(root, 'package.json'));
const kernelJson = readJson(join(root, 'packages/kernel/package.json'));

function major(range: string): number {
  const m = /(\d+)\.\d+\.\d+/.exec(range);
  if (!m) throw new Error(`not a version or a simple range: ${range}`);
  return Number(m[1]);
}

/** The exports map a consumer sees: "@rr/source" (src/, for tests in this repo) is dropped at pack time. */
function publishedExports(exports: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(exports).map(([key, target]) => [
      key,
      typeof target === 'object' && target !== null ? Object.fromEntries(Object.entries(target).filter(([c]) => c !== '@rr/source')) : target,
    ]),
  );
}

const exportTargets = (exports: Record<string, unknown>): string[] =>
  Object.values(publishedExports(exports)).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t as Record<string, string>)));

/** The lines of one `## <title>` section of a README (empty when absent). */
function section(readme: string, title: string): string {
  const start = readme.search(new RegExp(`^## ${title}\\s*$`, 'm'));
  if (start < 0) return '';
  const rest = readme.slice(start).split('\n').slice(1).join('\n');
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Every code of a package's error catalogues: each factory of `defineErrors` carries its `code`. */
async function catalogueCodes(dir: string): Promise<string[]> {
  const mod = (await import(join(dir, 'src/errors.ts'))) as Record<string, unknown>;
  const codes: string[] = [];
  for (const value of Object.values(mod)) {
    if (typeof value !== 'object' || value === null) continue;
    for (const factory of Object.values(value)) {
      const code = (factory as { code?: unknown }).code;
      if (typeof factory === 'function' && typeof code === 'string') codes.push(code);
    }
  }
  return codes;
}

/** The plugin object a package's entry exports (the first export shaped like one). */
async function pluginOf(dir: string): Promise<PluginLike> {
  const mod = (await import(join(dir, 'src/index.ts'))) as Record<string, unknown>;
  const found = Object.values(mod).find((v): v is PluginLike => typeof v === 'object' && v !== null && typeof (v as PluginLike).id === 'string' && typeof (v as PluginLike).kernel === 'string');
  if (!found) throw new Error(`${dir}/src/index.ts exports no plugin`);
  return found;
}

interface PluginLike {
  id: string;
  kernel: string;
  config?: { key?: string };
  provides?: Record<string, { id: string }>;
  collects?: Record<string, { id: string }>;
}

describe('package shape', () => {
  it('finds the core packages', () => {
    expect(publishable.map((p) => p.json.name)).toEqual(expect.arrayContaining(['@rr/errors', '@rr/kernel', '@rr/config', '@rr/goridge', '@rr/cli']));
  });

  it('keeps the test and tooling workspaces private, so they are never packed for npm nor versioned', () => {
    const internal = [...all.filter((p) => p.group === 'e2e' || p.group === 'tooling').map((p) => p.json), readJson(join(root, 'php-sdk/package.json'))];
    expect(internal.map((j) => j.name).sort()).toEqual(['@rr/e2e', '@rr/php-sdk', '@rr/tooling']);
    for (const json of internal) expect(json.private, json.name).toBe(true);
  });

  it.each(rows(publishable))('%s is publishable on its own', (_rel, pkg) => {
    const { json } = pkg;
    const expectedName = pkg.group === 'plugins' ? `@rr/plugin-${pkg.folder.replaceAll('_', '-')}` : pkg.group === 'apps' && pkg.folder === 'rr' ? '@rr/cli' : `@rr/${pkg.folder}`;
    expect(json.name).toBe(expectedName);
    expect(json.private).not.toBe(true);
    expect(json.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(json.description ?? '').not.toBe('');
    expect(json.license).toBe('MIT');
    expect(json.keywords).toEqual(expect.arrayContaining(pkg.group === 'plugins' ? ['rr', 'rr-plugin'] : ['rr']));
    expect(json.engines).toEqual(rootJson.engines);

    // Only what runs ships: dist, the README, and schema.json where the package has one; never src or tests.
    const hasSchema = existsSync(join(pkg.dir, 'schema.json'));
    expect(json.files).toEqual(expect.arrayContaining(['dist', 'README.md', ...(hasSchema ? ['schema.json'] : [])]));
    expect((json.files ?? []).filter((f) => /^(\.\/)?(src|test)(\/|$)|^\*|^\.\/?$/.test(f))).toEqual([]);
    if (!hasSchema) expect(json.files).not.toContain('schema.json');

    expect(json.types).toBe('./dist/index.d.ts');
    const entry = json.exports?.['.'] as Record<string, string> | undefined;
    // Tests resolve src through "@rr/source"; consumers get dist.
    expect(entry).toMatchObject({ '@rr/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' });
    expect(Object.keys(entry ?? {})[0]).toBe('@rr/source');
    expect(json.exports?.['./schema.json']).toBe(hasSchema ? './schema.json' : undefined);
    for (const target of exportTargets(json.exports ?? {})) {
      expect(target.startsWith('./dist/') || (json.files ?? []).includes(target.replace(/^\.\//, '')), `${target} is not in a packed file`).toBe(true);
    }
    for (const target of Object.values(json.bin ?? {})) expect(target).toMatch(/^\.\/dist\//);

    // pnpm pack applies publishConfig: the tarball's exports are these, without "@rr/source" (no src/ ships).
    expect(json.publishConfig?.access).toBe('public');
    expect(json.publishConfig?.exports, 'publishConfig.exports must be exports without "@rr/source"').toEqual(publishedExports(json.exports ?? {}));

    expect(existsSync(join(pkg.dir, 'src/index.ts'))).toBe(true);
    expect(existsSync(join(pkg.dir, 'README.md'))).toBe(true);
    // Versions come from the catalog and the workspace; pnpm pack turns both into real ranges.
    for (const [dep, range] of Object.entries({ ...json.dependencies })) expect(range === 'catalog:' || range.startsWith('workspace:'), `${dep}@${range}`).toBe(true);
    for (const [dep, range] of Object.entries({ ...json.peerDependencies })) if (dep.startsWith('@rr/')) expect(range, dep).toBe('workspace:^');
  });

  // A plugin runs in its host's kernel: a private copy would hide a kernel-range mismatch until serve and
  // bring a second @rr/errors (isRrError is an instanceof). So what plugs into the kernel takes it as a peer
  // (the devDependency links it in this workspace); only the apps that host plugins depend on it.
  it.each(rows(publishable.filter((p) => p.json.name !== '@rr/kernel')))('%s shares the host’s @rr/kernel', (_rel, pkg) => {
    const { dependencies = {}, devDependencies = {}, peerDependencies = {} } = pkg.json;
    const uses = '@rr/kernel' in dependencies || '@rr/kernel' in devDependencies || '@rr/kernel' in peerDependencies;
    if (pkg.group === 'apps') {
      if (uses) expect({ dep: dependencies['@rr/kernel'], peer: peerDependencies['@rr/kernel'] }).toEqual({ dep: 'workspace:^', peer: undefined });
      return;
    }
    if (!uses && pkg.group !== 'plugins') return;
    expect({ dep: dependencies['@rr/kernel'], peer: peerDependencies['@rr/kernel'], dev: devDependencies['@rr/kernel'] }).toEqual({
      dep: undefined,
      peer: 'workspace:^',
      dev: 'workspace:^',
    });
  });

  it('@rr/kernel’s major is the plugin contract’s (KERNEL_VERSION)', async () => {
    const { KERNEL_VERSION } = (await import(join(root, 'packages/kernel/src/version.ts'))) as { KERNEL_VERSION: string };
    expect(major(kernelJson.version ?? '')).toBe(major(KERNEL_VERSION));
  });

  // The "rr" manifest lets a distribution builder import a plugin without loading it first and refuse
  // mixed kernel majors (ROADRUNNER.md §4.2).
  it.each(rows(plugins))('%s declares an "rr" manifest that matches its plugin', async (_rel, pkg) => {
    const manifest = pkg.json.rr ?? {};
    expect(Object.keys(manifest).filter((k) => !['apiVersion', 'id', 'export', 'configSection'].includes(k))).toEqual([]);
    expect(manifest.apiVersion).toBe(major(kernelJson.version ?? ''));
    expect(manifest.export).toEqual(expect.stringMatching(/^[a-z][A-Za-z0-9]*Plugin$/));
    const mod = (await import(join(pkg.dir, 'src/index.ts'))) as Record<string, unknown>;
    const plugin = mod[String(manifest.export)] as PluginLike | undefined;
    expect(plugin, `src/index.ts exports no ${String(manifest.export)}`).toBeDefined();
    expect(manifest.id).toBe(plugin?.id);
    expect(major(plugin?.kernel ?? '')).toBe(manifest.apiVersion);
    expect(manifest.configSection).toBe(plugin?.config ? (plugin.config.key ?? plugin.id) : undefined);
  });

  it.each(rows(publishable))('%s README has the fixed sections', async (_rel, pkg) => {
    const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/^## Purpose$/m);
    if (pkg.group === 'plugins') {
      for (const title of ['Config', 'Needs/Collects/Provides', 'RPC methods', 'Errors']) expect(readme).toMatch(new RegExp(`^## ${title}`, 'm'));
    }
    if (existsSync(join(pkg.dir, 'src/config.ts'))) expect(readme).toMatch(/^## Config$/m);
    if (existsSync(join(pkg.dir, 'src/errors.ts'))) {
      expect(readme).toMatch(/^## Errors$/m);
      const documented = section(readme, 'Errors');
      expect((await catalogueCodes(pkg.dir)).filter((code) => !documented.includes(code)), 'codes missing from the README’s Errors section').toEqual([]);
    }
  });

  // A plugin that serves RPC (provides or collects rpc.endpoints) documents its methods in a table; one that
  // does not says so in words.
  it.each(rows(plugins))('%s README documents the RPC methods it has', async (_rel, pkg) => {
    const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
    const plugin = await pluginOf(pkg.dir);
    const refs = [...Object.values(plugin.provides ?? {}), ...Object.values(plugin.collects ?? {})];
    const serves = refs.some((r) => r.id === 'rpc.endpoints');
    expect(/^\|\s*method\s*\|/m.test(section(readme, 'RPC methods'))).toBe(serves);
  });
});
