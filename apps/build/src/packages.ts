import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { moduleResolve } from 'import-meta-resolve';

/** The fields of a package.json rr-build reads. */
export interface PackageJson {
  name?: string;
  version?: string;
  license?: string;
  type?: string;
  exports?: unknown;
  main?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  /**
   * The rr manifest (docs/plugin-authoring.md): `kernel` (range), `apiVersion` (the kernel major it was
   * built for), `export` (which export is the plugin when it is not the default one), `id`.
   */
  rr?: { kernel?: unknown; apiVersion?: unknown; export?: unknown; id?: unknown };
}

/** A package found on disk: its real directory and manifest. */
export interface FoundPackage {
  name: string;
  version: string;
  /** Real path of the package directory (symlinks resolved, as esbuild and node see it). */
  dir: string;
  json: PackageJson;
}

// Node's ESM conditions: what `node <bundle>` would load, and what esbuild picks for `import`.
const CONDITIONS = new Set(['node', 'import']);

const jsonCache = new Map<string, PackageJson | null>();

/** Reads `<dir>/package.json`, or undefined when there is none (cached per process run). */
export function readPackageJson(dir: string): PackageJson | undefined {
  const file = join(dir, 'package.json');
  let json = jsonCache.get(file);
  if (json === undefined) {
    try {
      json = JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
    } catch {
      json = null;
    }
    jsonCache.set(file, json);
  }
  return json ?? undefined;
}

/** Forgets cached manifests (after an install changed what is on disk). */
export function clearPackageCache(): void {
  jsonCache.clear();
}

/**
 * The package a file belongs to: the nearest directory above it whose package.json has a name
 * (nested `{"type":"module"}` stubs inside a package are skipped).
 */
export function packageOf(file: string): FoundPackage | undefined {
  let dir = dirname(file);
  for (;;) {
    const json = readPackageJson(dir);
    if (json?.name !== undefined && typeof json.version === 'string') return { name: json.name, version: json.version, dir, json };
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The package at `dir` (no lookup), or a reason why it is not one named `name`. */
export function packageAt(dir: string, name: string): FoundPackage | string {
  if (!existsSync(join(dir, 'package.json'))) return 'no package.json there';
  const json = readPackageJson(dir);
  if (json === undefined) return 'its package.json is not valid JSON';
  if (json.name !== name) return `its package.json names ${json.name ?? '(no name)'}`;
  if (typeof json.version !== 'string') return 'its package.json has no version';
  return { name, version: json.version, dir: realpathSync(dir), json };
}

/**
 * Resolves `specifier` (a package name, optionally with a subpath) the way node does from a module in
 * `fromDir`. Returns the entry file, or undefined when node would fail.
 */
export function resolveFrom(specifier: string, fromDir: string): string | undefined {
  try {
    const url = moduleResolve(specifier, pathToFileURL(join(resolve(fromDir), '__rr_build__.js')), CONDITIONS, false);
    return url.protocol === 'file:' ? fileURLToPath(url) : undefined;
  } catch {
    return undefined;
  }
}

/** Finds package `name` as node would from `fromDir`: the directory and manifest, or undefined. */
export function findPackage(name: string, fromDir: string): FoundPackage | undefined {
  // Walk node_modules upward (node's lookup) rather than resolving an entry: a package whose exports
  // hide "." (or that has no entry, like a types-only package) still has a version to check.
  let dir = resolve(fromDir);
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) {
      const found = packageAt(candidate, name);
      if (typeof found !== 'string') return found;
    }
    // A package resolves its own name (self-reference), as node allows when it has an exports map.
    const own = readPackageJson(dir);
    if (own?.name === name && own.exports !== undefined && typeof own.version === 'string') return { name, version: own.version, dir: realpathSync(dir), json: own };
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
