import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface WorkspacePackage {
  dir: string;
  rel: string;
  group: 'apps' | 'packages' | 'plugins' | 'e2e' | 'tooling';
  folder: string;
  json: {
    name: string;
    version?: string;
    private?: boolean;
    description?: string;
    keywords?: string[];
    license?: string;
    bin?: Record<string, string>;
    exports?: Record<string, unknown>;
    types?: string;
    files?: string[];
    engines?: Record<string, string>;
    publishConfig?: { access?: string; exports?: Record<string, unknown>; [field: string]: unknown };
    /** A plugin's manifest for distribution builders (docs/releasing.md). */
    rr?: { apiVersion?: unknown; id?: unknown; export?: unknown; configSection?: unknown; [field: string]: unknown };
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

/** Every TypeScript workspace package (php-sdk is a Composer package and is checked by its own tests). */
export function workspacePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  const add = (dir: string, group: WorkspacePackage['group']) => {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) return;
    out.push({ dir, rel: relative(root, dir), group, folder: dir.split('/').pop() ?? '', json: JSON.parse(readFileSync(file, 'utf8')) });
  };
  for (const group of ['apps', 'packages', 'plugins'] as const) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) if (statSync(join(base, name)).isDirectory()) add(join(base, name), group);
  }
  add(join(root, 'e2e'), 'e2e');
  add(join(root, 'tooling'), 'tooling');
  return out;
}

/** Source files of a package (src/ and test/), recursively. */
export function sourceFiles(dir: string, sub = ['src', 'test']): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
    }
  };
  for (const s of sub) if (existsSync(join(dir, s))) walk(join(dir, s));
  return out;
}
