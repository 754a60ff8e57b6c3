import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles, workspacePackages, type WorkspacePackage } from './workspace.js';

// docs/architecture.md "Dependency direction": which @rr/* packages each package may depend on.
const allowed: Record<string, readonly string[] | '*'> = {
  '@rr/errors': [],
  '@rr/goridge': ['@rr/errors'],
  '@rr/pool': ['@rr/errors', '@rr/goridge'],
  '@rr/kernel': ['@rr/errors'],
  '@rr/config': ['@rr/errors'],
  '@rr/contracts': ['@rr/errors', '@rr/kernel', '@rr/pool', '@rr/goridge'],
  '@rr/testkit': ['@rr/errors', '@rr/kernel', '@rr/contracts', '@rr/config'],
  '@rr/cli': '*',
  '@rr/e2e': '*',
  '@rr/tooling': '*',
};
const pluginAllowed = ['@rr/errors', '@rr/kernel', '@rr/contracts', '@rr/config'];
const serverPluginExtra = ['@rr/pool', '@rr/goridge'];

function allowedFor(pkg: WorkspacePackage): readonly string[] | '*' {
  if (pkg.group === 'plugins') return pkg.json.name === '@rr/plugin-server' ? [...pluginAllowed, ...serverPluginExtra] : pluginAllowed;
  const rule = allowed[pkg.json.name];
  if (rule === undefined) throw new Error(`${pkg.json.name} has no layering rule; add it to tooling/test/layering.test.ts and docs/architecture.md`);
  return rule;
}

const ours = (deps: Record<string, string> | undefined) => Object.keys(deps ?? {}).filter((d) => d.startsWith('@rr/'));
const importRe = /(?:^|[^\w.])(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

describe('dependency layering', () => {
  const packages = workspacePackages();

  it.each(packages.map((p) => [p.json.name, p] as const))('%s depends only on the packages its layer allows', (_name, pkg) => {
    const rule = allowedFor(pkg);
    const declared = [...ours(pkg.json.dependencies), ...ours(pkg.json.devDependencies), ...ours(pkg.json.peerDependencies)];
    const forbidden = rule === '*' ? [] : declared.filter((d) => !rule.includes(d) && d !== pkg.json.name);
    expect(forbidden).toEqual([]);
    if (pkg.group === 'plugins') expect(declared.filter((d) => d.startsWith('@rr/plugin-'))).toEqual([]);
  });

  it.each(packages.map((p) => [p.json.name, p] as const))('%s imports only declared @rr packages and nothing outside its root', (_name, pkg) => {
    const declared = new Set([pkg.json.name, ...ours(pkg.json.dependencies), ...ours(pkg.json.devDependencies), ...ours(pkg.json.peerDependencies)]);
    const problems: string[] = [];
    for (const file of sourceFiles(pkg.dir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[1] ?? m[2] ?? '';
        if (spec.startsWith('@rr/')) {
          const name = spec.split('/').slice(0, 2).join('/');
          if (!declared.has(name)) problems.push(`${file}: imports undeclared ${name}`);
        } else if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(pkg.dir + '/')) problems.push(`${file}: relative import leaves the package: ${spec}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
