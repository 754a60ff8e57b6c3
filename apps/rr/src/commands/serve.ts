import { writeFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadConfig, type ConfigWarning } from '@rr/config';
import { createKernel, type DistributionInfo, type Kernel, type Plugin, type PluginReport } from '@rr/kernel';
import { createLogger, type RootLogger } from '@rr/plugin-logs';
import { cliErrors, type GlobalFlags } from '../args.js';
import { loadConfiguredPlugins, PLUGINS_SECTION, type ConfiguredPlugin } from '../configured-plugins.js';

/** Where serve writes and how it learns about signals; main.ts wires these to the process. */
export interface ServeIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Changes the process's working directory (RoadRunner works in the config's directory). */
  chdir: (dir: string) => void;
}

/** Sections the CLI reads itself; the kernel must not warn that no plugin owns them. */
const CLI_SECTIONS = ['endure', 'kernel', PLUGINS_SECTION];

/** Always-on plugins that serve nothing by themselves: with only these, there is nothing to serve. */
const BACKGROUND = new Set(['logs', 'informer', 'resetter']);

/**
 * Loads and validates the config, loads the plugins its `plugins:` list names, starts every enabled
 * plugin and returns the running kernel. Errors are RrErrors; main.ts prints them and exits 1.
 */
export async function startServer(
  flags: GlobalFlags,
  plugins: readonly Plugin[],
  io: ServeIo,
  distribution?: DistributionInfo,
): Promise<{ kernel: Kernel; stopTimeoutMs: number; cleanup: () => void; configured: ConfiguredPlugin[] }> {
  const file = isAbsolute(flags.config) ? flags.config : resolve(io.cwd, flags.config);
  const workDir = flags.workDir === undefined ? dirname(file) : resolve(io.cwd, flags.workDir);
  const loaded = await loadConfig({ file, workDir, overrides: flags.overrides, dotenv: flags.dotenv, env: io.env });
  io.chdir(workDir);
  for (const w of loaded.warnings) io.err(warningLine(w));
  // Third-party plugins join the compiled-in ones and are wired like them.
  const configured = await loadConfiguredPlugins(loaded.sections[PLUGINS_SECTION], { configFile: file, compiled: plugins });

  const stopTimeoutMs = graceFrom(loaded.sections);
  const log = cliLogger(loaded.sections.logs).named('kernel');
  const kernel = createKernel({
    plugins: [...plugins, ...configured.map((c) => c.plugin)],
    config: { version: loaded.version, sections: loaded.sections },
    stopTimeoutMs,
    distribution,
    ignoreSections: CLI_SECTIONS,
    logger: log,
  });
  await kernel.start();

  const report = kernel.report();
  if (!report.some((p) => !BACKGROUND.has(p.id) && (p.state === 'serving' || p.state === 'initialized'))) {
    await kernel.stop();
    throw cliErrors.NOTHING_TO_SERVE();
  }
  let pidFile: string | undefined;
  if (flags.pid) {
    pidFile = resolve(workDir, '.pid');
    try {
      writeFileSync(pidFile, String(process.pid));
    } catch (err) {
      await kernel.stop();
      throw cliErrors.PID_FILE(pidFile, { cause: err });
    }
  }
  if (!flags.silent && configured.length > 0) io.err(configuredLine(configured));
  // Printed last: it is the line scripts and tests wait for as the ready signal.
  if (!flags.silent) io.err(summary(report));
  const cleanup = () => {
    if (pidFile !== undefined) rmSync(pidFile, { force: true });
  };
  return { kernel, stopTimeoutMs, cleanup, configured };
}

/** `rr: plugins from config: greeter (rr-plugin-greeter 0.1.0), audit (./plugins/audit.mjs)` */
export function configuredLine(configured: readonly ConfiguredPlugin[]): string {
  const described = configured.map((c) => {
    const source = c.package === undefined ? c.entry : `${c.package.name}${c.package.version === undefined ? '' : ` ${c.package.version}`}`;
    return `${c.plugin.id} (${source})`;
  });
  return `rr: plugins from config: ${described.join(', ')}`;
}

/**
 * The logger of the CLI itself (kernel warnings), configured like the logs plugin's. An invalid `logs`
 * section falls back to the defaults here: the kernel reports that section's errors with the others.
 */
function cliLogger(section: unknown): RootLogger {
  try {
    return createLogger(section ?? {}, { name: 'rr' });
  } catch {
    return createLogger({}, { name: 'rr' });
  }
}

/** `endure.grace_period` (RoadRunner) or `kernel.stop_timeout`, in ms; 30 s by default. */
function graceFrom(sections: Readonly<Record<string, unknown>>): number {
  const pick = (section: unknown, key: string): unknown =>
    typeof section === 'object' && section !== null ? (section as Record<string, unknown>)[key] : undefined;
  const raw = pick(sections.kernel, 'stop_timeout') ?? pick(sections.endure, 'grace_period');
  if (typeof raw === 'number') return raw / 1e6; // a bare number is a Go duration: nanoseconds
  if (typeof raw === 'string') {
    const ms = goDurationMs(raw);
    if (ms !== undefined) return ms;
  }
  return 30_000;
}

function goDurationMs(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * (units[m[2] as string] ?? 0);
    matched += m[0].length;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

function warningLine(w: ConfigWarning): string {
  return `warn[${w.code}]: ${w.message}`;
}

/** The startup table: enabled plugins, then disabled ones with why. */
export function summary(report: readonly PluginReport[]): string {
  const enabled = report.filter((p) => p.state !== 'disabled');
  const disabled = report.filter((p) => p.state === 'disabled');
  const lines = [`rr: ${enabled.length} plugin(s) enabled: ${enabled.map((p) => p.id).join(', ') || '(none)'}`];
  for (const p of disabled) lines.push(`  disabled ${p.id}: ${(p.reasonChain ?? [p.reason ?? 'no reason given']).join(' <- ')}`);
  return lines.join('\n');
}
