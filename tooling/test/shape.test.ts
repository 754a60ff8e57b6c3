import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePackages } from './workspace.js';

const publishable = workspacePackages().filter((p) => p.group === 'packages' || p.group === 'plugins' || p.group === 'apps');

describe('package shape', () => {
  it('finds the core packages', () => {
    expect(publishable.map((p) => p.json.name)).toEqual(expect.arrayContaining(['@rr/errors', '@rr/kernel', '@rr/config', '@rr/goridge', '@rr/cli']));
  });

  it.each(publishable.map((p) => [p.rel, p] as const))('%s is publishable on its own', (_rel, pkg) => {
    const expectedName = pkg.group === 'plugins' ? `@rr/plugin-${pkg.folder.replaceAll('_', '-')}` : pkg.group === 'apps' && pkg.folder === 'rr' ? '@rr/cli' : `@rr/${pkg.folder}`;
    expect(pkg.json.name).toBe(expectedName);
    expect(pkg.json.private).not.toBe(true);
    expect(pkg.json.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(pkg.json.files).toEqual(expect.arrayContaining(['dist', 'README.md']));
    expect(pkg.json.types).toBe('./dist/index.d.ts');
    const entry = pkg.json.exports?.['.'] as Record<string, string> | undefined;
    // Tests resolve src through "@rr/source"; consumers get dist.
    expect(entry).toMatchObject({ '@rr/source': './src/index.ts', types: './dist/index.d.ts', import: './dist/index.js' });
    expect(Object.keys(entry ?? {})[0]).toBe('@rr/source');
    expect(existsSync(join(pkg.dir, 'src/index.ts'))).toBe(true);
    expect(existsSync(join(pkg.dir, 'README.md'))).toBe(true);
    for (const dep of Object.values({ ...pkg.json.dependencies })) expect(dep === 'catalog:' || dep.startsWith('workspace:')).toBe(true);
  });

  it.each(publishable.map((p) => [p.rel, p] as const))('%s README has the fixed sections', (_rel, pkg) => {
    const readme = readFileSync(join(pkg.dir, 'README.md'), 'utf8');
    expect(readme).toMatch(/^## Purpose$/m);
    if (pkg.group === 'plugins') {
      for (const section of ['Config', 'Needs/Collects/Provides', 'RPC methods', 'Errors']) expect(readme).toMatch(new RegExp(`^## ${section}`, 'm'));
    }
    if (existsSync(join(pkg.dir, 'src/errors.ts'))) expect(readme).toMatch(/^## Errors$/m);
  });
});
