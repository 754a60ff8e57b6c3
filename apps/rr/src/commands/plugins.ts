import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadConfig } from '@rr/config';
import { KERNEL_VERSION, type Plugin } from '@rr/kernel';
import { DEFAULT_CONFIG, type GlobalFlags } from '../args.js';
import { loadConfiguredPlugins, PLUGINS_SECTION, type ConfiguredPlugin } from '../configured-plugins.js';
import { renderBox } from './table.js';

/**
 * `rr plugins [-c config]`: the plugins compiled into this distribution, then those the config's
 * `plugins:` list loads, with the package and version each came from. Without a config file (and no
 * `-c`), only the compiled-in ones.
 *
 * @throws what loading the config or its plugins throws (RR_ERR_CONFIG_*, RR_ERR_CLI_PLUGIN*)
 */
export async function pluginsTable(
  flags: GlobalFlags,
  dist: { name: string; version: string; plugins: readonly Plugin[] },
  io: { cwd: string; env: Readonly<Record<string, string | undefined>> },
): Promise<string> {
  const file = isAbsolute(flags.config) ? flags.config : resolve(io.cwd, flags.config);
  let configured: ConfiguredPlugin[] = [];
  // The default .rr.yaml may be absent (then: compiled-in only); a file named with -c must exist.
  if (flags.config !== DEFAULT_CONFIG || existsSync(file)) {
    const workDir = flags.workDir === undefined ? dirname(file) : resolve(io.cwd, flags.workDir);
    const loaded = await loadConfig({ file, workDir, overrides: flags.overrides, dotenv: flags.dotenv, env: io.env });
    configured = await loadConfiguredPlugins(loaded.sections[PLUGINS_SECTION], { configFile: file, compiled: dist.plugins });
  }
  const rows: string[][] = [['id', 'from', 'package', 'version']];
  for (const p of dist.plugins) rows.push([p.id, 'compiled in', '', '']);
  for (const c of configured) rows.push([c.plugin.id, `${c.path}: ${c.entry}`, c.package?.name ?? c.file, c.package?.version ?? '']);
  return renderBox(`${dist.name} ${dist.version} (kernel ${KERNEL_VERSION}): ${String(rows.length - 1)} plugins`, rows);
}
