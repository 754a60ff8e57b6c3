import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { BuildConfig } from './config.js';
import { buildErrors } from './errors.js';
import { generateEntry, generatePluginsModule } from './generate.js';
import { findPackage, packageAt } from './packages.js';
import { pluginExport } from './resolve.js';

export interface GenerateOptions {
  /** Write the entry module (JavaScript) here. */
  entry?: string | undefined;
  /** Write a plugins.ts module (`export const plugins: readonly Plugin[]`) here. */
  plugins?: string | undefined;
  /** Compare instead of writing; a difference throws RR_ERR_BUILD_GENERATED_STALE. */
  check?: boolean | undefined;
  /** Where the runtime package is looked up when the config has no version (the entry's fallback version). */
  from?: string | undefined;
}

/**
 * Writes (or, with `check`, compares) the generated files of `rr-build generate`. Nothing is resolved or
 * bundled, except the runtime package's version when the entry needs it and the config omits it.
 *
 * @returns the files written or checked
 * @throws RR_ERR_BUILD_USAGE (no target), RR_ERR_BUILD_GENERATED_STALE, RR_ERR_BUILD_OUTPUT_FAILED
 */
export function generateFiles(config: BuildConfig, options: GenerateOptions): string[] {
  const targets: [string, string][] = [];
  const exports = pluginExports(config, options.from);
  if (options.entry !== undefined) targets.push([resolve(options.entry), generateEntry(config, config.version ?? runtimeVersion(config, options.from) ?? '0.0.0', exports)]);
  if (options.plugins !== undefined) {
    const file = resolve(options.plugins);
    targets.push([file, generatePluginsModule(config, file, exports)]);
  }
  if (targets.length === 0) throw buildErrors.USAGE('generate needs --entry <file> and/or --plugins <file>');
  for (const [file, text] of targets) {
    if (options.check === true) {
      let current: string | undefined;
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        current = undefined;
      }
      if (current !== text) throw buildErrors.GENERATED_STALE(file);
      continue;
    }
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    } catch (err) {
      throw buildErrors.OUTPUT_FAILED(file, err instanceof Error ? err.message : String(err), { cause: err });
    }
  }
  return targets.map(([file]) => file);
}

/**
 * Which export of each plugin to import: the config's, else the package's `rr.export` manifest when the
 * package can be found (without it, the default export).
 */
export function pluginExports(config: BuildConfig, from?: string | undefined): string[] {
  return config.plugins.map((spec) => {
    const override = config.overrides.get(spec.package);
    const dir = override?.kind === 'path' ? override.path : spec.path;
    const found = dir !== undefined ? packageAt(dir, spec.package) : findPackage(spec.package, from ?? config.dir);
    return pluginExport(spec, typeof found === 'string' ? undefined : found?.json);
  });
}

function runtimeVersion(config: BuildConfig, from: string | undefined): string | undefined {
  const { runtime } = config;
  const found = runtime.path !== undefined ? packageAt(runtime.path, runtime.package) : findPackage(runtime.package, from ?? config.dir);
  return found === undefined || typeof found === 'string' ? undefined : found.version;
}
