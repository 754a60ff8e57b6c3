// Third-party plugins named in the config's `plugins:` list, loaded at start without rebuilding rr.
// Each entry is resolved from the config's directory (like Node resolves an import written there),
// checked against this kernel before its code runs, imported, and handed to the kernel with the
// compiled-in plugins. Every problem of every entry is reported in one error.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveModule } from 'import-meta-resolve';
import { KERNEL_VERSION, createKernel, definePlugin, isRrError, kernelErrors, type Plugin, type RrError } from '@rr/kernel';
import { cliErrors } from './errors.js';

/** The key of the section the CLI owns. */
export const PLUGINS_SECTION = 'plugins';

/** A package.json as far as plugin loading reads it. */
interface PackageJson {
  name?: unknown;
  version?: unknown;
  main?: unknown;
  exports?: unknown;
  peerDependencies?: unknown;
  /** The rr manifest: `kernel` (a semver range of @rr/kernel) and `export` (which export is the plugin). */
  rr?: unknown;
}

interface FoundPackage {
  dir: string;
  file: string;
  json: PackageJson;
}

/** One plugin loaded from the `plugins:` list. */
export interface ConfiguredPlugin {
  plugin: Plugin;
  /** The entry as written in the config. */
  entry: string;
  /** Its dotted path in the config, e.g. `plugins.0`. */
  path: string;
  /** The module file that was imported. */
  file: string;
  /** The package the module belongs to, when it has a package.json with a name. */
  package: { name: string; version: string | undefined; dir: string } | undefined;
}

export interface LoadPluginsOptions {
  /** The config file; entries are resolved from its directory. */
  configFile: string;
  /** The plugins compiled into this distribution (a configured plugin may not reuse their ids). */
  compiled: readonly Plugin[];
}

/** One `{ path, code, message }` issue of the section's shape, as config issues are reported elsewhere. */
interface Issue {
  path: string;
  code: string;
  message: string;
}

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`);

/**
 * The entries of the `plugins` section (absent or empty: none).
 * @throws RR_ERR_CLI_PLUGINS_CONFIG_INVALID with `details.issues` (dotted paths such as `plugins.2`).
 */
export function pluginEntries(section: unknown): string[] {
  if (section === undefined || section === null) return [];
  const issues: Issue[] = [];
  if (!Array.isArray(section)) {
    issues.push({ path: PLUGINS_SECTION, code: 'RR_ERR_CONFIG_INVALID_TYPE', message: `expected a list of package names or paths, got ${describe(section)}` });
  } else {
    section.forEach((entry: unknown, index) => {
      const path = `${PLUGINS_SECTION}.${String(index)}`;
      if (typeof entry !== 'string') issues.push({ path, code: 'RR_ERR_CONFIG_INVALID_TYPE', message: `expected a package name or a path, got ${describe(entry)}` });
      else if (entry.trim() === '') issues.push({ path, code: 'RR_ERR_CONFIG_TOO_SMALL', message: 'expected a package name or a path, got an empty string' });
    });
  }
  if (issues.length > 0) {
    throw cliErrors.PLUGINS_CONFIG_INVALID(issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'), { details: { issues } });
  }
  return (section as string[]).map((entry) => entry.trim());
}

/**
 * Loads every plugin of the `plugins` section: resolves each entry from the config's directory, checks
 * the kernel range its package declares (before importing it), imports it and picks its plugins.
 * Resolves with the plugins in list order; nothing is returned unless every entry loaded.
 *
 * @throws RR_ERR_CLI_PLUGINS_CONFIG_INVALID, or one of RR_ERR_CLI_PLUGIN_NOT_FOUND, _LOAD_FAILED, _INVALID,
 * _KERNEL_MISMATCH, _DUPLICATE; several problems come as RR_ERR_CLI_PLUGINS_FAILED listing each in `details.errors`.
 */
export async function loadConfiguredPlugins(section: unknown, options: LoadPluginsOptions): Promise<ConfiguredPlugin[]> {
  const entries = pluginEntries(section);
  if (entries.length === 0) return [];
  const results = await Promise.all(entries.map((entry, index) => loadEntry(entry, `${PLUGINS_SECTION}.${String(index)}`, options.configFile)));
  const errors = results.flatMap((r) => r.errors);
  const loaded = results.flatMap((r) => r.plugins);

  // One id, one plugin: the kernel would refuse it too, but only this side knows which entries clash.
  const owners = new Map<string, string>(options.compiled.map((p) => [p.id, 'is compiled into rr']));
  for (const c of loaded) {
    const owner = owners.get(c.plugin.id);
    if (owner === undefined) owners.set(c.plugin.id, `is also loaded by ${c.path} ('${c.entry}')`);
    else errors.push(cliErrors.PLUGIN_DUPLICATE(c.path, c.entry, c.plugin.id, owner, { plugin: c.plugin.id, details: { path: c.path, entry: c.entry } }));
  }
  if (errors.length === 1) throw errors[0] as RrError;
  if (errors.length > 1) {
    const lines = errors.map((e) => `  - ${e.code}: ${e.message.split('\n')[0] ?? ''}`).join('\n');
    throw cliErrors.PLUGINS_FAILED(errors.length, lines, { details: { errors } });
  }
  return loaded;
}

async function loadEntry(entry: string, path: string, configFile: string): Promise<{ plugins: ConfiguredPlugin[]; errors: RrError[] }> {
  const fail = (error: RrError) => ({ plugins: [], errors: [error] });
  const details = { path, entry };
  let located: { file: string; pkg: FoundPackage | undefined };
  try {
    located = isPathEntry(entry) ? locatePath(entry, path, dirname(configFile)) : locatePackage(entry, path, configFile);
  } catch (err) {
    if (isRrError(err)) return fail(err);
    return fail(cliErrors.PLUGIN_LOAD_FAILED(path, entry, summarize(err), { cause: err, details }));
  }
  const { file, pkg } = located;
  const pkgInfo = pkg !== undefined && typeof pkg.json.name === 'string' ? { name: pkg.json.name, version: typeof pkg.json.version === 'string' ? pkg.json.version : undefined, dir: pkg.dir } : undefined;
  const label = pkgInfo === undefined ? file : `${pkgInfo.name}${pkgInfo.version === undefined ? '' : `@${pkgInfo.version}`}`;

  // Refuse a package built for another kernel before running any of its code: its import alone may fail
  // against this kernel's exports, and the declared range is the clearer message.
  const manifest = pkg === undefined ? { ranges: [], problems: [] } : declaredRanges(pkg.json, label);
  const errors: RrError[] = manifest.problems.map((problem) => cliErrors.PLUGIN_INVALID(path, entry, problem, { details }));
  for (const { range, where } of manifest.ranges) {
    if (!(await kernelAccepts(range))) errors.push(cliErrors.PLUGIN_KERNEL_MISMATCH(path, entry, range, where, KERNEL_VERSION, { details: { ...details, range, kernel: KERNEL_VERSION, package: pkgInfo?.name } }));
  }
  if (errors.length > 0) return { plugins: [], errors };

  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    return fail(cliErrors.PLUGIN_LOAD_FAILED(path, entry, summarize(err), { cause: err, details: { ...details, file } }));
  }
  const exportName = isRecord(pkg?.json.rr) && typeof pkg.json.rr.export === 'string' ? pkg.json.rr.export : undefined;
  const picked = pluginsOf(mod, exportName);
  if (typeof picked === 'string') return fail(cliErrors.PLUGIN_INVALID(path, entry, picked, { details: { ...details, file } }));

  // The kernel checks each plugin's own range too; checking here names the package it came from.
  for (const plugin of picked) {
    const range: unknown = plugin.kernel;
    if (typeof range !== 'string') errors.push(cliErrors.PLUGIN_INVALID(path, entry, `exports plugin '${plugin.id}' without a kernel range`, { plugin: plugin.id, details }));
    else if (!(await kernelAccepts(range))) {
      errors.push(cliErrors.PLUGIN_KERNEL_MISMATCH(path, entry, range, `plugin '${plugin.id}' of ${label}`, KERNEL_VERSION, { plugin: plugin.id, details: { ...details, range, kernel: KERNEL_VERSION, package: pkgInfo?.name } }));
    }
  }
  if (errors.length > 0) return { plugins: [], errors };
  return { plugins: picked.map((plugin) => ({ plugin, entry, path, file, package: pkgInfo })), errors: [] };
}

/** `./x`, `../x`, `.`, `..` and absolute paths are paths; everything else is a package name. */
function isPathEntry(entry: string): boolean {
  return /^\.{1,2}(?:[\\/]|$)/.test(entry) || isAbsolute(entry);
}

/** A path entry: a package directory (its exports or main) or a module file. */
function locatePath(entry: string, path: string, configDir: string): { file: string; pkg: FoundPackage | undefined } {
  const target = resolvePath(configDir, entry);
  let stats;
  try {
    stats = statSync(target);
  } catch {
    throw cliErrors.PLUGIN_NOT_FOUND(path, entry, `${target} does not exist`, { details: { path, entry, target } });
  }
  if (!stats.isDirectory()) return { file: target, pkg: nearestPackage(dirname(target)) };
  const pkgFile = join(target, 'package.json');
  if (!existsSync(pkgFile)) throw cliErrors.PLUGIN_NOT_FOUND(path, entry, `${target} is a directory without a package.json`, { details: { path, entry, target } });
  const pkg = { dir: target, file: pkgFile, json: readPackageJson(pkgFile) };
  return { file: packageMain(pkg, entry, path), pkg };
}

/** The module a package directory exposes: its `exports` (".") or `main`, as Node would pick it. */
function packageMain(pkg: FoundPackage, entry: string, path: string): string {
  const { json, dir } = pkg;
  if (json.exports !== undefined) {
    if (typeof json.name !== 'string') throw cliErrors.PLUGIN_NOT_FOUND(path, entry, `${pkg.file} has exports but no name`, { details: { path, entry } });
    // A package resolving its own name (self-reference) goes through its exports map exactly as an import would.
    return resolveFile(json.name, pathToFileURL(pkg.file).href, entry, path);
  }
  const main = typeof json.main === 'string' ? json.main : 'index.js';
  for (const candidate of [main, `${main}.js`, join(main, 'index.js')]) {
    const file = resolvePath(dir, candidate);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  throw cliErrors.PLUGIN_NOT_FOUND(path, entry, `${resolvePath(dir, main)} does not exist (is the package built?)`, { details: { path, entry } });
}

/** A package-name entry, resolved like `import(entry)` written in the config's directory. */
function locatePackage(entry: string, path: string, configFile: string): { file: string; pkg: FoundPackage | undefined } {
  const file = resolveFile(entry, pathToFileURL(configFile).href, entry, path);
  const name = packageName(entry);
  return { file, pkg: ownPackage(dirname(file), name) ?? nearestPackage(dirname(file)) };
}

function resolveFile(specifier: string, parentUrl: string, entry: string, path: string): string {
  let url: string;
  try {
    url = resolveModule(specifier, parentUrl);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const details = { path, entry };
    if (code === 'ERR_MODULE_NOT_FOUND' && /cannot find package/i.test((err as Error).message)) {
      throw cliErrors.PLUGIN_NOT_FOUND(path, entry, `no package '${packageName(entry)}' in node_modules of ${dirname(fileURLToPath(parentUrl))} or any directory above it`, { cause: err, details });
    }
    if (typeof code === 'string' && /^ERR_(MODULE_NOT_FOUND|PACKAGE_PATH_NOT_EXPORTED|INVALID_MODULE_SPECIFIER|INVALID_PACKAGE_TARGET|UNSUPPORTED_DIR_IMPORT)$/.test(code)) {
      throw cliErrors.PLUGIN_NOT_FOUND(path, entry, (err as Error).message, { cause: err, details });
    }
    throw cliErrors.PLUGIN_LOAD_FAILED(path, entry, summarize(err), { cause: err, details });
  }
  if (!url.startsWith('file:')) throw cliErrors.PLUGIN_NOT_FOUND(path, entry, `'${entry}' is a Node.js built-in module, not a plugin package`, { details: { path, entry } });
  return fileURLToPath(url);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The package.json named `name` at or above `dir` (a resolved file lives inside its package). */
function ownPackage(dir: string, name: string): FoundPackage | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      const json = readPackageJson(file);
      if (json.name === name) return { dir: d, file, json };
    }
    if (d === parse(d).root) return undefined;
  }
}

/** The nearest package.json at or above `dir`: the package scope Node gives a module there. */
function nearestPackage(dir: string): FoundPackage | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) return { dir: d, file, json: readPackageJson(file) };
    if (d === parse(d).root) return undefined;
  }
}

function readPackageJson(file: string): PackageJson {
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(json) ? json : {};
  } catch {
    // Node refuses to load from a package with a broken package.json; the import reports it.
    return {};
  }
}

/** The kernel ranges a package declares: its `rr.kernel` manifest and `peerDependencies["@rr/kernel"]`. */
function declaredRanges(json: PackageJson, label: string): { ranges: { range: string; where: string }[]; problems: string[] } {
  const ranges: { range: string; where: string }[] = [];
  const problems: string[] = [];
  if (json.rr !== undefined) {
    if (!isRecord(json.rr)) problems.push(`has an "rr" manifest in package.json that is not an object`);
    else {
      const { kernel, export: exportName } = json.rr;
      if (kernel !== undefined) {
        if (typeof kernel === 'string') ranges.push({ range: kernel, where: `"rr": { "kernel" } of ${label}` });
        else problems.push(`has "rr": { "kernel" } in package.json that is not a semver range string`);
      }
      if (exportName !== undefined && typeof exportName !== 'string') problems.push(`has "rr": { "export" } in package.json that is not an export name`);
    }
  }
  const peer = isRecord(json.peerDependencies) ? json.peerDependencies['@rr/kernel'] : undefined;
  // `workspace:` ranges are pnpm's, rewritten to a real range when the package is packed: inside the
  // workspace the peer is the kernel of this very repository.
  if (typeof peer === 'string' && !peer.startsWith('workspace:')) ranges.push({ range: peer, where: `peerDependencies["@rr/kernel"] of ${label}` });
  return { ranges, problems };
}

/**
 * Picks the plugins a module exports: the export the manifest names; else the default export (a plugin
 * or an array of plugins); else every named export that is a plugin or an array of plugins.
 * Returns a problem description when there is none.
 */
function pluginsOf(mod: Record<string, unknown>, exportName: string | undefined): Plugin[] | string {
  if (exportName !== undefined) {
    const chosen = asPlugins(mod[exportName]);
    return chosen ?? `has no plugin export '${exportName}' (named by "rr": { "export" } in its package.json)`;
  }
  const fromDefault = asPlugins(mod.default);
  if (fromDefault !== undefined) return fromDefault;
  const named = new Set<Plugin>();
  for (const [key, value] of Object.entries(mod)) {
    if (key !== 'default') for (const p of asPlugins(value) ?? []) named.add(p);
  }
  if (named.size > 0) return [...named];
  const found = Object.entries(mod).map(([key, value]) => `${key} (${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value})`);
  return `exports no plugin: expected a definePlugin() value (or an array of them) as the default or a named export; found ${found.length === 0 ? 'no exports' : found.join(', ')}`;
}

function asPlugins(value: unknown): Plugin[] | undefined {
  if (isPlugin(value)) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every(isPlugin)) return value;
  return undefined;
}

/** Looks like a definePlugin() value; the kernel checks the rest of the declaration at registration. */
function isPlugin(value: unknown): value is Plugin {
  return isRecord(value) && typeof value.id === 'string' && typeof value.init === 'function';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function summarize(err: unknown): string {
  if (isRrError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

const verdicts = new Map<string, Promise<boolean>>();

/**
 * Whether this kernel satisfies a declared semver range. Asked of the kernel itself (it refuses a plugin
 * whose range excludes KERNEL_VERSION when it registers), so this early check and the kernel's can never
 * disagree. A range that is not valid semver is not satisfied.
 */
export function kernelAccepts(range: string): Promise<boolean> {
  let verdict = verdicts.get(range);
  if (verdict === undefined) {
    verdict = probeKernel(range);
    verdicts.set(range, verdict);
  }
  return verdict;
}

async function probeKernel(range: string): Promise<boolean> {
  // A plugin that disables itself at init: registering it runs the kernel's range check and nothing else.
  const probe = definePlugin({ id: 'kernel_range_probe', kernel: range, init: ({ disable }) => disable('range probe') });
  const kernel = createKernel({ plugins: [probe], config: { version: '3', sections: {} } });
  try {
    await kernel.start();
  } catch (err) {
    if (isRrError(err, kernelErrors.VERSION_MISMATCH.code)) return false;
    throw err;
  }
  await kernel.stop();
  return true;
}
