import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RrError } from '@rr/errors';
import semver from 'semver';
import type { BuildConfig, PluginSpec } from './config.js';
import { buildErrors } from './errors.js';
import { clearPackageCache, findPackage, packageAt, type FoundPackage, type PackageJson } from './packages.js';

/** The export that is the plugin: the config's, else the manifest's `rr.export`, else `default`. */
export function pluginExport(spec: Pick<PluginSpec, 'export'>, json: PackageJson | undefined): string {
  return spec.export ?? (typeof json?.rr?.export === 'string' ? json.rr.export : 'default');
}

/** A package chosen for the distribution, and how it was found. */
export interface ResolvedPackage extends FoundPackage {
  /** `path`: the config's path; `override`: an override's path; `node`: node resolution; `installed`: npm install into the cache. */
  via: 'path' | 'override' | 'node' | 'installed';
  /** The range the config asked for, if any. */
  range?: string | undefined;
  /** For plugins: the export that is the plugin (`default` or a name). */
  export?: string | undefined;
}

/** Everything the bundle step needs to know about where packages come from. */
export interface Resolution {
  /** Where bare package names were resolved from (the config directory or --from). */
  from: string;
  runtime: ResolvedPackage;
  /** In config order. */
  plugins: ResolvedPackage[];
  /** @rr/kernel as the runtime sees it: the kernel every plugin is checked against. */
  kernel: FoundPackage;
  /** Override name → the copy every import of that package is redirected to. */
  overrides: Map<string, ResolvedPackage>;
  /** The npm install into the build cache, when something had to be fetched. */
  install?: { dir: string; specs: string[]; cached: boolean } | undefined;
}

export interface ResolveOptions {
  /** Resolve bare names from here instead of the config directory. */
  from?: string | undefined;
  /** Where registry installs go. @default `$XDG_CACHE_HOME/rr-build` or `~/.cache/rr-build` */
  cacheDir?: string | undefined;
  /** false: never run npm; an unresolvable package is an error even with a range. @default true */
  install?: boolean | undefined;
  /** The npm executable. @default 'npm' */
  npm?: string | undefined;
}

export const KERNEL_PACKAGE = '@rr/kernel';

/** The default build cache directory. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rr-build');
}

const satisfies = (version: string, range: string) => semver.satisfies(version, range, { includePrerelease: true });

/**
 * Finds every package of the distribution (runtime, plugins, overridden packages), installs the
 * unresolvable ones that carry a range into the build cache, and checks versions and kernel majors
 * (Velox's resolved-version check). Plugin ids and `kernel` ranges are checked later, by `inspectPlugins`.
 *
 * @throws RR_ERR_BUILD_PACKAGE_NOT_FOUND, RR_ERR_BUILD_PATH_NOT_A_PACKAGE, RR_ERR_BUILD_VERSION_MISMATCH,
 * RR_ERR_BUILD_KERNEL_MISMATCH, RR_ERR_BUILD_MIXED_MAJORS, RR_ERR_BUILD_INSTALL_FAILED; several problems at
 * once as RR_ERR_BUILD_RESOLVE_FAILED.
 */
export async function resolveDistribution(config: BuildConfig, options: ResolveOptions = {}): Promise<Resolution> {
  const from = options.from ?? config.dir;
  const problems: RrError[] = [];
  const pending: { name: string; range: string }[] = [];

  // Step 1: find what is on disk; remember what must come from the registry.
  const locate = (spec: PluginSpec): ResolvedPackage | undefined => {
    const override = config.overrides.get(spec.package);
    if (override?.kind === 'path') return atPath(spec.package, override.path, 'override', spec.version);
    if (spec.path !== undefined) return atPath(spec.package, spec.path, 'path', spec.version);
    const found = findPackage(spec.package, from);
    const range = spec.version ?? (override?.kind === 'version' ? override.range : undefined);
    // A copy that misses an override's range is replaced by an installed one, as npm overrides would.
    if (found !== undefined && !(override?.kind === 'version' && !satisfies(found.version, override.range))) return { ...found, via: 'node', range: spec.version };
    if (range !== undefined && options.install !== false) {
      pending.push({ name: spec.package, range: override?.kind === 'version' ? override.range : range });
      return undefined;
    }
    problems.push(found === undefined ? buildErrors.PACKAGE_NOT_FOUND(spec.package, from) : buildErrors.VERSION_MISMATCH(spec.package, range ?? '*', found.version, found.dir));
    return undefined;
  };
  const atPath = (name: string, dir: string, via: 'path' | 'override', range: string | undefined): ResolvedPackage | undefined => {
    const found = packageAt(dir, name);
    if (typeof found === 'string') {
      problems.push(buildErrors.PATH_NOT_A_PACKAGE(name, dir, found));
      return undefined;
    }
    return { ...found, via, range };
  };

  let runtime = locate(config.runtime);
  const plugins = config.plugins.map((p) => locate(p));
  const overrides = new Map<string, ResolvedPackage>();
  for (const [name, o] of config.overrides) {
    if (o.kind === 'path') {
      const r = atPath(name, o.path, 'override', undefined);
      if (r !== undefined) overrides.set(name, r);
    } else if (name !== config.runtime.package && !config.plugins.some((p) => p.package === name)) {
      const r = locate({ package: name, version: o.range });
      if (r !== undefined) overrides.set(name, r);
    }
  }

  // Step 2: one npm install for everything missing, keyed by what was asked (not when the build fails anyway).
  let install: Resolution['install'];
  if (pending.length > 0 && problems.length === 0) {
    install = await installPackages(pending, config, options);
    clearPackageCache();
    const fetched = (name: string): ResolvedPackage | undefined => {
      const found = findPackage(name, install?.dir ?? '');
      if (found === undefined) problems.push(buildErrors.INSTALL_FAILED(name, install?.dir ?? '', 'npm finished but the package is not in node_modules'));
      return found === undefined ? undefined : { ...found, via: 'installed' };
    };
    if (runtime === undefined) runtime = fetched(config.runtime.package);
    plugins.forEach((p, i) => {
      const spec = config.plugins[i] as PluginSpec;
      if (p === undefined) plugins[i] = fetched(spec.package);
      const got = plugins[i];
      if (got !== undefined) got.range = spec.version;
    });
    for (const { name } of pending) {
      if (name === config.runtime.package || config.plugins.some((p) => p.package === name)) continue;
      const r = fetched(name);
      if (r !== undefined) overrides.set(name, r);
    }
  }
  if (runtime !== undefined && runtime.range === undefined) runtime.range = config.runtime.version;
  // Overridden plugins and runtime are also redirected for every other importer.
  for (const p of [runtime, ...plugins]) if (p !== undefined && config.overrides.has(p.name)) overrides.set(p.name, p);

  // Step 3: the resolved-version check.
  for (const p of [runtime, ...plugins, ...overrides.values()]) {
    if (p === undefined) continue;
    if (p.range !== undefined && !satisfies(p.version, p.range)) problems.push(buildErrors.VERSION_MISMATCH(p.name, p.range, p.version, p.dir));
    const o = config.overrides.get(p.name);
    if (o?.kind === 'version' && o.range !== p.range && !satisfies(p.version, o.range)) problems.push(buildErrors.VERSION_MISMATCH(p.name, o.range, p.version, p.dir));
  }
  if (problems.length > 0) throw aggregate(problems);
  if (runtime === undefined || plugins.some((p) => p === undefined)) throw buildErrors.PACKAGE_NOT_FOUND('(internal) a package', from);
  const resolved = plugins as ResolvedPackage[];

  // Step 4: one kernel major for the runtime and every plugin.
  const kernelOf = (dir: string) => overrides.get(KERNEL_PACKAGE) ?? findPackage(KERNEL_PACKAGE, dir);
  const kernel = kernelOf(runtime.dir);
  if (kernel === undefined) throw aggregate([...problems, buildErrors.PACKAGE_NOT_FOUND(KERNEL_PACKAGE, runtime.dir)]);
  if (config.kernel !== undefined && !satisfies(kernel.version, config.kernel)) problems.push(buildErrors.KERNEL_MISMATCH('the build config', config.kernel, kernel.version));
  const lines = [`${runtime.name} → ${KERNEL_PACKAGE} ${kernel.version}`];
  const majors = new Set([semver.major(kernel.version)]);
  for (const p of resolved) {
    const own = kernelOf(p.dir);
    if (own !== undefined) {
      majors.add(semver.major(own.version));
      lines.push(`${p.name} → ${KERNEL_PACKAGE} ${own.version}`);
    }
    // The manifest's apiVersion is the kernel major the plugin was built for.
    const api = p.json.rr?.apiVersion;
    if (api !== undefined && api !== semver.major(kernel.version)) problems.push(buildErrors.KERNEL_MISMATCH(`${p.name} (package.json rr.apiVersion ${String(api)})`, `${String(api)}.x`, kernel.version));
    const peer = p.json.peerDependencies?.[KERNEL_PACKAGE];
    if (peer !== undefined && semver.validRange(peer) !== null && !satisfies(kernel.version, peer)) problems.push(buildErrors.KERNEL_MISMATCH(`${p.name} (peerDependencies)`, peer, kernel.version));
  }
  if (majors.size > 1) problems.push(buildErrors.MIXED_MAJORS(lines.join(', ')));
  if (problems.length > 0) throw aggregate(problems);

  resolved.forEach((p, i) => (p.export = pluginExport(config.plugins[i] ?? {}, p.json)));
  return { from, runtime, plugins: resolved, kernel, overrides, install };
}

/** One problem is thrown as itself; several as RR_ERR_BUILD_RESOLVE_FAILED listing each (details.problems). */
export function aggregate(problems: RrError[]): RrError {
  if (problems.length === 1) return problems[0] as RrError;
  const lines = problems.map((p) => `  - ${p.message} (${p.code})`).join('\n');
  return buildErrors.RESOLVE_FAILED(lines, { details: { problems: problems.map((p) => ({ code: p.code, message: p.message })) } });
}

async function installPackages(pending: { name: string; range: string }[], config: BuildConfig, options: ResolveOptions): Promise<NonNullable<Resolution['install']>> {
  const dependencies = Object.fromEntries(pending.map((p) => [p.name, p.range]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)));
  const overrides: Record<string, string> = {};
  for (const [name, o] of config.overrides) overrides[name] = o.kind === 'version' ? o.range : `file:${o.path}`;
  const manifest = { name: 'rr-build-cache', private: true, dependencies, overrides };
  const key = createHash('sha256').update(JSON.stringify(manifest)).digest('hex').slice(0, 16);
  const dir = join(options.cacheDir ?? defaultCacheDir(), key);
  const specs = pending.map((p) => `${p.name}@${p.range}`);
  const marker = join(dir, '.rr-build-installed');
  if (existsSync(marker)) return { dir, specs, cached: true };
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    throw buildErrors.OUTPUT_FAILED(dir, err instanceof Error ? err.message : String(err), { cause: err });
  }
  const result = await runNpm(options.npm ?? 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--omit=dev'], dir);
  if (result.code !== 0) throw buildErrors.INSTALL_FAILED(specs.join(' '), dir, result.output.trim().split('\n').slice(-8).join('\n') || `exit ${String(result.code)}`);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  return { dir, specs, cached: false };
}

function runNpm(npm: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(npm, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    // A registry that hangs must not hang the build forever.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
