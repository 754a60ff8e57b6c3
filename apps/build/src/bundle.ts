import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { buildErrors } from './errors.js';
import { BUILD_INFO_GLOBAL, type BuildInfo } from './generate.js';
import { packageOf, type FoundPackage } from './packages.js';

export interface BundleOptions {
  /** The entry module (in the work directory, next to its node_modules links). */
  entryFile: string;
  /** The work directory: imports of `redirect` names resolve from here. */
  workDir: string;
  /** Package names every importer is redirected to the work directory's copy of. */
  redirect: readonly string[];
  /** The executable to write. */
  outFile: string;
  /** Directory (relative to outFile's) that holds assets of packages that read files next to their code. */
  assetsDir: string;
  minify: boolean;
  /** 'inline' for one-file builds, 'linked' (a .map next to the bundle) for directory builds. */
  sourcemap: false | 'inline' | 'linked';
  nodeFlags: readonly string[];
  info: BuildInfo;
}

/** One package in the bundle. */
export interface BundledPackage {
  name: string;
  version: string;
  dir: string;
  license?: string | undefined;
  /** Bytes of the output that came from this package. */
  bytes: number;
}

/** A module that locates files relative to itself, and where those references now point. */
export interface RelocatedModule {
  package: string;
  version: string;
  /** The module, relative to its package. */
  file: string;
  uses: string[];
  /** Files and directories it names next to itself (copied into the assets directory), relative to its package. */
  copies: string[];
}

export interface BundleResult {
  outFile: string;
  bytes: number;
  metafile: esbuild.Metafile;
  packages: BundledPackage[];
  /** Packages bundled from more than one directory (two copies in one bundle). */
  duplicates: { name: string; copies: { version: string; dir: string }[] }[];
  relocated: RelocatedModule[];
  /** Assets copied next to the bundle, by package. */
  assets: { package: string; files: number; bytes: number }[];
  assetBytes: number;
  warnings: string[];
}

// `__dirname` / `__filename` (CommonJS) and `import.meta.url|dirname|filename` (ESM): a module that uses them
// reads something next to its own file (grpc-health-check and @grpc/reflection load .proto files at run time).
const LOCATION = /\b__dirname\b|\b__filename\b|\bimport\.meta\.(?:url|dirname|filename)\b/;
const LOCATION_VARS = [
  { name: '__rrLocDir', kind: 'dir', source: '__dirname' },
  { name: '__rrLocFile', kind: 'file', source: '__filename' },
  { name: '__rrLocUrl', kind: 'url', source: 'import.meta.url' },
  { name: '__rrLocMetaDir', kind: 'dir', source: 'import.meta.dirname' },
  { name: '__rrLocMetaFile', kind: 'file', source: 'import.meta.filename' },
] as const;
const LOCATION_DEFINES: Record<string, string> = {
  __dirname: '__rrLocDir',
  __filename: '__rrLocFile',
  'import.meta.url': '__rrLocUrl',
  'import.meta.dirname': '__rrLocMetaDir',
  'import.meta.filename': '__rrLocMetaFile',
};

/** The first lines of every bundle: shebang, and what bundled CommonJS and relocated modules need. */
export function banner(nodeFlags: readonly string[], assetsDir: string): string {
  const shebang = nodeFlags.length === 0 ? '#!/usr/bin/env node' : `#!/usr/bin/env -S node ${nodeFlags.join(' ')}`;
  return [
    shebang,
    "import { createRequire as __rrCreateRequire } from 'node:module';",
    "import { dirname as __rrDirname, join as __rrJoin } from 'node:path';",
    "import { fileURLToPath as __rrFileURLToPath, pathToFileURL as __rrPathToFileURL } from 'node:url';",
    // Bundled CommonJS calls require() for node built-ins; ESM has no require of its own.
    'const require = __rrCreateRequire(import.meta.url);',
    `const __rrAssetPath = (p) => __rrJoin(__rrDirname(__rrFileURLToPath(import.meta.url)), ${JSON.stringify(assetsDir)}, p);`,
    'const __rrAssetUrl = (p) => __rrPathToFileURL(__rrAssetPath(p)).href;',
  ].join('\n');
}

/**
 * Bundles the entry with esbuild into one ESM file for node 20, with a shebang, and copies the assets of
 * packages that read files next to their own code (see README "What a distribution contains").
 *
 * @throws RR_ERR_BUILD_BUNDLE_FAILED, RR_ERR_BUILD_OUTPUT_FAILED
 */
export async function bundle(options: BundleOptions): Promise<BundleResult> {
  const relocated = new Map<string, RelocatedModule>();
  const relocatedPackages = new Map<string, { pkg: FoundPackage; targets: string[] }>();
  const warnings: string[] = [];
  const assetsAbs = resolve(dirname(options.outFile), options.assetsDir);

  const redirectPlugin: esbuild.Plugin = {
    name: 'rr-build-redirect',
    setup(build) {
      if (options.redirect.length === 0) return;
      const names = options.redirect.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
      const filter = new RegExp(`^(?:${names.join('|')})(?:/.*)?$`);
      // Every import of a chosen package (plugin, runtime, override) goes to the chosen copy, wherever the
      // importer sits: the list decides the version, as a Velox build's go.mod does.
      build.onResolve({ filter }, async (args) => {
        if (args.resolveDir === options.workDir || args.pluginData === 'rr-build-redirected') return undefined;
        const result = await build.resolve(args.path, { kind: args.kind, resolveDir: options.workDir, pluginData: 'rr-build-redirected' });
        return result.errors.length > 0 ? { errors: result.errors } : { path: result.path, external: result.external, sideEffects: result.sideEffects, namespace: result.namespace };
      });
    },
  };

  const locationPlugin: esbuild.Plugin = {
    name: 'rr-build-location',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
        if (args.path === options.entryFile) return undefined;
        const text = await readFile(args.path, 'utf8');
        if (!LOCATION.test(text)) return undefined;
        const pkg = packageOf(args.path);
        if (pkg === undefined) return undefined;
        // esbuild's own define replaces only real, unshadowed references: not comments, strings, or a
        // module's own `const __dirname`. Each becomes a module-local variable set from the assets path.
        let code: string;
        try {
          code = (await esbuild.transform(text, { loader: 'js', sourcefile: args.path, define: LOCATION_DEFINES, logLevel: 'silent' })).code;
        } catch {
          warnings.push(`${args.path}: could not be analysed for __dirname / import.meta.url; left as is`);
          return undefined;
        }
        const used = LOCATION_VARS.filter((v) => new RegExp(`\\b${v.name}\\b`).test(code));
        if (used.length === 0) return undefined;
        const key = `${pkg.name}@${pkg.version}`;
        const rel = relative(pkg.dir, args.path).split(sep).join('/');
        const relDir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '.';
        const decl = used.map((v) => `${v.name} = ${v.kind === 'url' ? '__rrAssetUrl' : '__rrAssetPath'}(${JSON.stringify(`${key}/${v.kind === 'dir' ? relDir : rel}`)})`);
        const targets = referencedPaths(code, pkg.dir, dirname(args.path));
        relocated.set(args.path, { package: pkg.name, version: pkg.version, file: rel, uses: [...new Set(used.map((v) => v.source))].sort(), copies: targets.map((t) => relative(pkg.dir, t).split(sep).join('/')) });
        relocatedPackages.set(key, { pkg, targets: [...(relocatedPackages.get(key)?.targets ?? []), ...targets] });
        return { contents: `var ${decl.join(', ')};\n${code}`, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };

  let result: esbuild.BuildResult<{ metafile: true }>;
  try {
    mkdirSync(dirname(options.outFile), { recursive: true });
  } catch (err) {
    throw buildErrors.OUTPUT_FAILED(dirname(options.outFile), err instanceof Error ? err.message : String(err), { cause: err });
  }
  try {
    result = await esbuild.build({
      entryPoints: [options.entryFile],
      absWorkingDir: options.workDir,
      outfile: options.outFile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      minify: options.minify,
      sourcemap: options.sourcemap,
      metafile: true,
      logLevel: 'silent',
      banner: { js: banner(options.nodeFlags, options.assetsDir) },
      define: { [BUILD_INFO_GLOBAL]: JSON.stringify(options.info) },
      plugins: [redirectPlugin, locationPlugin],
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    const detail = Array.isArray(failure.errors) && failure.errors.length > 0 ? esbuild.formatMessagesSync(failure.errors, { kind: 'error', color: false }).join('\n').trim() : String(err);
    throw buildErrors.BUNDLE_FAILED(detail, { cause: err });
  }
  chmodSync(options.outFile, 0o755);
  warnings.push(...esbuild.formatMessagesSync(result.warnings, { kind: 'warning', color: false }).map((w) => w.trim()));

  const { packages, duplicates } = bundledPackages(result.metafile, options.workDir, options.outFile);
  const bundled = new Set(packages.map((p) => `${p.name}@${p.version}`));
  // Only packages whose relocated modules made it into the output need their files.
  rmSync(assetsAbs, { recursive: true, force: true });
  const assets: BundleResult['assets'] = [];
  for (const [key, { pkg, targets }] of relocatedPackages) {
    if (!bundled.has(key)) continue;
    const copied = copyAssets(pkg.dir, targets, join(assetsAbs, key));
    if (copied.files > 0) assets.push({ package: key, ...copied });
  }
  const relocatedList = [...relocated.values()].filter((r) => bundled.has(`${r.package}@${r.version}`));
  return {
    outFile: options.outFile,
    bytes: statSync(options.outFile).size,
    metafile: result.metafile,
    packages,
    duplicates,
    relocated: relocatedList.sort((a, b) => (a.package + a.file < b.package + b.file ? -1 : 1)),
    assets: assets.sort((a, b) => (a.package < b.package ? -1 : 1)),
    assetBytes: assets.reduce((n, a) => n + a.bytes, 0),
    warnings,
  };
}

/** Every package in the bundle (from the metafile), with the bytes it contributes. */
export function bundledPackages(metafile: esbuild.Metafile, workDir: string, outFile: string): { packages: BundledPackage[]; duplicates: BundleResult['duplicates'] } {
  const output = Object.entries(metafile.outputs).find(([file]) => resolve(workDir, file) === resolve(outFile))?.[1];
  const byDir = new Map<string, BundledPackage>();
  for (const [input, info] of Object.entries(output?.inputs ?? {})) {
    if (input.includes(':') && !input.startsWith('/')) continue; // namespaced virtual modules
    const file = resolve(workDir, input);
    if (dirname(file) === workDir) continue; // the generated entry belongs to no package
    const pkg = packageOf(file);
    if (pkg === undefined) continue;
    const entry = byDir.get(pkg.dir) ?? { name: pkg.name, version: pkg.version, dir: pkg.dir, license: typeof pkg.json.license === 'string' ? pkg.json.license : undefined, bytes: 0 };
    entry.bytes += info.bytesInOutput;
    byDir.set(pkg.dir, entry);
  }
  const packages = [...byDir.values()].sort((a, b) => (a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1));
  const byName = new Map<string, BundledPackage[]>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const duplicates = [...byName].filter(([, copies]) => copies.length > 1).map(([name, copies]) => ({ name, copies: copies.map((c) => ({ version: c.version, dir: c.dir })) }));
  return { packages, duplicates };
}

// `${__dirname}/../proto`, join(__dirname, "../proto/x.proto"), new URL("../template/", import.meta.url): the
// literal paths a relocated module builds from its location (after esbuild's reprint: double quotes).
const REFERENCES = [/\$\{__rrLoc(?:Dir|MetaDir)\}([^`$]*)/g, /__rrLoc(?:Dir|MetaDir)\s*,\s*"([^"]+)"/g, /new URL\(\s*"([^"]+)"\s*,\s*__rrLocUrl\s*\)/g];
// Runnable code next to a module (worker entry points) cannot work from a bundle anyway; it is not copied.
const RUNNABLE = new Set(['.js', '.cjs', '.mjs', '.map']);

/**
 * The files and directories a relocated module names by a literal path relative to itself, inside its
 * package and not the package root itself (pino's join(__dirname, '..', 'file.js') names nothing useful).
 */
export function referencedPaths(code: string, pkgDir: string, moduleDir: string): string[] {
  const out = new Set<string>();
  for (const re of REFERENCES) {
    for (const m of code.matchAll(re)) {
      const literal = (m[1] ?? '').replace(/^\/+/, '');
      if (!literal.split('/').some((seg) => seg !== '' && seg !== '.' && seg !== '..')) continue;
      const target = resolve(moduleDir, literal);
      if (target === pkgDir || !target.startsWith(pkgDir + sep) || !existsSync(target)) continue;
      if (statSync(target).isFile() && RUNNABLE.has(extname(target))) continue;
      out.add(target);
    }
  }
  return [...out].sort();
}

/**
 * Copies the referenced files and directories of a package to `target`, keeping their paths (runnable JS
 * left out), plus its package.json when anything was copied (modules that read their own manifest).
 */
export function copyAssets(pkgDir: string, targets: readonly string[], target: string): { files: number; bytes: number } {
  const found = new Set<string>();
  const walk = (path: string) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path)) if (name !== 'node_modules') walk(join(path, name));
    } else if (!RUNNABLE.has(extname(path))) {
      found.add(path);
    }
  };
  for (const t of targets) walk(t);
  if (found.size === 0) return { files: 0, bytes: 0 };
  found.add(join(pkgDir, 'package.json'));
  let bytes = 0;
  for (const file of found) {
    const to = join(target, relative(pkgDir, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
    bytes += statSync(file).size;
  }
  return { files: found.size, bytes };
}

/** The esbuild version bundles are made with (for the report). */
export const ESBUILD_VERSION = esbuild.version;

