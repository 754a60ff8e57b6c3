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
  '@rr/contracts': ['@rr/errors', '@rr/kernel', '@rr/config', '@rr/pool', '@rr/goridge'],
  '@rr/testkit': ['@rr/errors', '@rr/kernel', '@rr/contracts', '@rr/config', '@rr/pool'],
  '@rr/cli': '*',
  // rr-build imports no plugin itself: the entries it generates do, resolved in the project being built.
  '@rr/build': ['@rr/errors'],
  '@rr/e2e': '*',
  '@rr/tooling': '*',
};
const pluginAllowed = ['@rr/errors', '@rr/kernel', '@rr/contracts', '@rr/config'];
// server spawns workers and rpc serves goridge RPC: both need the wire packages at run time.
const pluginExtra: Record<string, string[]> = { '@rr/plugin-server': ['@rr/pool', '@rr/goridge'], '@rr/plugin-rpc': ['@rr/goridge'] };
// Plugin tests may run real workers and real RPC clients.
const pluginTestOnly = ['@rr/testkit', '@rr/pool', '@rr/goridge'];

function allowedFor(pkg: WorkspacePackage, dev = false): readonly string[] | '*' {
  if (pkg.group === 'plugins') return [...pluginAllowed, ...(pluginExtra[pkg.json.name] ?? []), ...(dev ? pluginTestOnly : [])];
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
    const devRule = allowedFor(pkg, true);
    const runtime = [...ours(pkg.json.dependencies), ...ours(pkg.json.peerDependencies)];
    const forbidden = rule === '*' ? [] : runtime.filter((d) => !rule.includes(d) && d !== pkg.json.name);
    const forbiddenDev = devRule === '*' ? [] : ours(pkg.json.devDependencies).filter((d) => !devRule.includes(d));
    expect([...forbidden, ...forbiddenDev]).toEqual([]);
    const declared = [...runtime, ...ours(pkg.json.devDependencies)];
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
