import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BuildConfig } from './config.js';
import { buildErrors } from './errors.js';
import { bundle, ESBUILD_VERSION, type BundledPackage, type BundleResult } from './bundle.js';
import { generateEntry, type BuildInfo } from './generate.js';
import { createWorkDir, inspectPlugins } from './inspect.js';
import { resolveDistribution, type ResolveOptions } from './resolve.js';
import { smokeTest } from './smoke.js';

/**
 * Dependencies of the stock plugins that weigh the most; the report says which of them a distribution
 * carries and which it left out (a distribution without jobs or grpc must not carry theirs).
 */
export const HEAVY_DEPENDENCIES = [
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  '@grpc/reflection',
  'grpc-health-check',
  'protobufjs',
  'amqplib',
  '@nats-io/transport-node',
  '@nats-io/jetstream',
  'ioredis',
  'prom-client',
  'fastify',
  '@opentelemetry/sdk-node',
] as const;

export interface BuildOptions extends ResolveOptions {
  /** Output directory; wins over the config's output.dir. */
  outDir?: string | undefined;
  /** Wins over the config's output.format. */
  format?: 'file' | 'dir' | undefined;
  /** false: skip the --version smoke test. @default true */
  smoke?: boolean | undefined;
  /** Progress lines (stderr in the CLI). */
  log?: ((line: string) => void) | undefined;
}

/** What a build produced: printed as a table and written as build-report.json next to the artifact. */
export interface BuildReport {
  name: string;
  version: string;
  format: 'file' | 'dir';
  /** The executable. */
  artifact: string;
  /** esbuild's metafile of the bundle (every input with its size). */
  metafile: string;
  /** Size of the executable. */
  bytes: number;
  /** Files copied next to it for modules that read files relative to themselves (none: a true single file). */
  assets: { dir: string; bytes: number; packages: { package: string; files: number; bytes: number }[] } | null;
  /** Everything the distribution needs on disk: the executable plus assets (plus its source map, if separate). */
  totalBytes: number;
  runtime: { package: string; version: string; dir: string };
  kernel: { package: string; version: string; contract: string };
  /** In registration order, with the id --version prints. */
  plugins: { package: string; version: string; id: string; kernel: string; via: string; dir: string }[];
  bundledPackageCount: number;
  bundledPackages: { name: string; version: string; license?: string | undefined; bytes: number }[];
  heavy: { included: string[]; omitted: string[] };
  /** Modules that locate files next to themselves, now pointed at the assets directory. */
  relocated: BundleResult['relocated'];
  duplicates: BundleResult['duplicates'];
  warnings: string[];
  install: { dir: string; specs: string[]; cached: boolean } | null;
  smoke: { ok: true; ms: number; versionLine: string; plugins: string[] } | { ok: false; skipped: true };
  timings: { resolveMs: number; inspectMs: number; bundleMs: number; smokeMs: number; totalMs: number };
  esbuild: string;
  builtAt: string;
}

const ms = (from: number) => Math.round(performance.now() - from);

/**
 * Builds a distribution: resolve and check the packages, import the plugins for their ids and kernel
 * ranges, generate the entry, bundle it, run the smoke test and write build-report.json.
 *
 * @throws any RR_ERR_BUILD_* code (see README)
 */
export async function buildDistribution(config: BuildConfig, options: BuildOptions = {}): Promise<BuildReport> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const format = options.format ?? config.output.format;
  const outDir = resolve(options.outDir ?? config.output.dir);

  let t = performance.now();
  log(`resolving ${config.plugins.length} plugin(s) from ${options.from ?? config.dir}`);
  const resolution = await resolveDistribution(config, options);
  const resolveMs = ms(t);
  const version = config.version ?? resolution.runtime.version;

  const work = createWorkDir(resolution);
  try {
    t = performance.now();
    log('importing the plugins for their ids and kernel ranges');
    const inspection = await inspectPlugins(resolution, work);
    const inspectMs = ms(t);

    const entryFile = join(work.dir, 'entry.mjs');
    writeFileSync(entryFile, generateEntry(config, version, resolution.plugins.map((p) => p.export)));
    const builtAt = new Date().toISOString();
    const info: BuildInfo = { name: config.name, version, time: builtAt, plugins: resolution.plugins.map((p) => ({ package: p.name, version: p.version })) };
    const outFile = join(outDir, `${config.name}.mjs`);
    const assetsDir = format === 'dir' ? 'assets' : `${config.name}.assets`;

    t = performance.now();
    log(`bundling into ${outFile}`);
    const result = await bundle({
      entryFile,
      workDir: work.dir,
      redirect: work.linked,
      outFile,
      assetsDir,
      minify: config.output.minify,
      sourcemap: config.output.sourcemap ? (format === 'dir' ? 'linked' : 'inline') : false,
      nodeFlags: config.output.sourcemap ? [...config.output.nodeFlags, '--enable-source-maps'] : config.output.nodeFlags,
      info,
    });
    const bundleMs = ms(t);

    // An override must have won everywhere: no other copy of that package may be in the bundle.
    for (const [name, chosen] of resolution.overrides) {
      const others = result.packages.filter((p) => p.name === name && p.dir !== chosen.dir);
      if (others.length > 0) throw buildErrors.OVERRIDE_NOT_APPLIED(name, `${chosen.version} at ${chosen.dir}`, others.map((o) => `${o.version} at ${o.dir}`).join(', '));
    }

    // esbuild's metafile, for https://esbuild.github.io/analyze/ and for checks of what is (not) inside.
    const metafile = join(outDir, 'metafile.json');
    try {
      writeFileSync(metafile, JSON.stringify(result.metafile));
    } catch (err) {
      throw buildErrors.OUTPUT_FAILED(metafile, err instanceof Error ? err.message : String(err), { cause: err });
    }

    const kernelCopies = result.packages.filter((p) => p.name === resolution.kernel.name);
    const majors = new Set(kernelCopies.map((k) => k.version.split('.')[0]));
    if (majors.size > 1) throw buildErrors.MIXED_MAJORS(kernelCopies.map((k) => `${k.name} ${k.version} (${k.dir})`).join(', '));

    if (format === 'dir') writeDirExtras(outDir, config.name, version, resolution.plugins.map((p, i) => ({ package: p.name, version: p.version, id: inspection.plugins[i]?.id ?? '' })), result.packages, builtAt);

    let smoke: BuildReport['smoke'] = { ok: false, skipped: true };
    t = performance.now();
    if (options.smoke !== false) {
      log(`smoke test: ${outFile} --version`);
      const s = await smokeTest(outFile, { name: config.name, version, plugins: inspection.plugins.map((p) => p.id) });
      smoke = { ok: true, ms: s.ms, versionLine: s.versionLine, plugins: s.plugins };
    }
    const smokeMs = ms(t);

    const names = new Set(result.packages.map((p) => p.name));
    const mapBytes = config.output.sourcemap && format === 'dir' ? statSync(`${outFile}.map`).size : 0;
    const report: BuildReport = {
      name: config.name,
      version,
      format,
      artifact: outFile,
      metafile,
      bytes: result.bytes,
      assets: result.assets.length === 0 ? null : { dir: join(outDir, assetsDir), bytes: result.assetBytes, packages: result.assets },
      totalBytes: result.bytes + result.assetBytes + mapBytes,
      runtime: { package: resolution.runtime.name, version: resolution.runtime.version, dir: resolution.runtime.dir },
      kernel: { package: resolution.kernel.name, version: resolution.kernel.version, contract: inspection.kernelVersion },
      plugins: resolution.plugins.map((p, i) => ({ package: p.name, version: p.version, id: inspection.plugins[i]?.id ?? '', kernel: inspection.plugins[i]?.kernel ?? '', via: p.via, dir: p.dir })),
      bundledPackageCount: result.packages.length,
      bundledPackages: result.packages.map((p: BundledPackage) => ({ name: p.name, version: p.version, license: p.license, bytes: p.bytes })),
      heavy: { included: HEAVY_DEPENDENCIES.filter((h) => names.has(h)), omitted: HEAVY_DEPENDENCIES.filter((h) => !names.has(h)) },
      relocated: result.relocated,
      duplicates: result.duplicates,
      warnings: result.warnings,
      install: resolution.install ?? null,
      smoke,
      timings: { resolveMs, inspectMs, bundleMs, smokeMs, totalMs: ms(started) },
      esbuild: ESBUILD_VERSION,
      builtAt,
    };
    try {
      writeFileSync(join(outDir, 'build-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    } catch (err) {
      throw buildErrors.OUTPUT_FAILED(join(outDir, 'build-report.json'), err instanceof Error ? err.message : String(err), { cause: err });
    }
    return report;
  } finally {
    work.remove();
  }
}

/**
 * The dir format: a package.json (so the directory is an installable, `npx`-able package with a bin)
 * and rr-build.lock.json, the manifest of every bundled package with its version and license.
 */
function writeDirExtras(outDir: string, name: string, version: string, plugins: { package: string; version: string; id: string }[], packages: BundledPackage[], builtAt: string): void {
  const pkg = {
    name,
    version,
    private: true,
    description: `${name}: an rr distribution built by rr-build (${plugins.map((p) => p.id).join(', ')})`,
    type: 'module',
    bin: { [name]: `./${name}.mjs` },
    engines: { node: '>=20.19.0' },
    rr: { plugins: plugins.map((p) => ({ package: p.package, version: p.version, id: p.id })) },
  };
  const lock = {
    lockfileVersion: 1,
    generator: `rr-build (esbuild ${ESBUILD_VERSION})`,
    builtAt,
    plugins,
    // Everything inside the bundle: nothing is installed at run time, so this is the complete bill of materials.
    packages: Object.fromEntries(packages.map((p) => [`${p.name}@${p.version}`, { name: p.name, version: p.version, license: p.license ?? null, bytesInBundle: p.bytes }])),
  };
  try {
    writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    writeFileSync(join(outDir, 'rr-build.lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  } catch (err) {
    throw buildErrors.OUTPUT_FAILED(outDir, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

const kb = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`);

/** The short table the CLI prints. */
export function formatReport(r: BuildReport): string {
  const rows: [string, string][] = [
    ['artifact', `${r.artifact} (${r.format})`],
    ['size', `${kb(r.bytes)} (${r.bytes} bytes)${r.assets === null ? '' : ` + assets ${kb(r.assets.bytes)} in ${r.assets.dir}`}`],
    ['plugins', r.plugins.map((p) => `${p.id} (${p.package}@${p.version})`).join(', ')],
    ['kernel', `${r.kernel.package}@${r.kernel.version} (contract ${r.kernel.contract})`],
    ['packages', `${r.bundledPackageCount} bundled`],
    ['left out', r.heavy.omitted.length === 0 ? '(none of the heavy ones)' : r.heavy.omitted.join(', ')],
    ['smoke', r.smoke.ok ? `--version ok in ${r.smoke.ms} ms` : 'skipped'],
    ['time', `${(r.timings.totalMs / 1000).toFixed(1)} s (resolve ${r.timings.resolveMs} ms, inspect ${r.timings.inspectMs} ms, bundle ${r.timings.bundleMs} ms, smoke ${r.timings.smokeMs} ms)`],
  ];
  if (r.install !== null) rows.push(['installed', `${r.install.specs.join(' ')}${r.install.cached ? ' (cached)' : ''} in ${r.install.dir}`]);
  if (r.duplicates.length > 0) rows.push(['duplicates', r.duplicates.map((d) => `${d.name} ×${d.copies.length}`).join(', ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return [`${r.name} ${r.version}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)].join('\n');
}
