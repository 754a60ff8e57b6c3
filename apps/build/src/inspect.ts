import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RrError } from '@rr/errors';
import semver from 'semver';
import { buildErrors } from './errors.js';
import { resolveFrom } from './packages.js';
import { aggregate, KERNEL_PACKAGE, type Resolution } from './resolve.js';

/**
 * A scratch directory whose node_modules links every package the distribution chose (runtime, plugins,
 * overrides) by name. The entry is resolved from here, so it imports bare names exactly as written,
 * and every other importer of those names is redirected here too.
 */
export interface WorkDir {
  dir: string;
  /** The names linked in node_modules. */
  linked: string[];
  remove(): void;
}

/** Creates the work directory for a resolution. */
export function createWorkDir(resolution: Resolution): WorkDir {
  const dir = mkdtempSync(join(tmpdir(), 'rr-build-'));
  const links = new Map<string, string>();
  for (const p of [resolution.runtime, ...resolution.plugins, ...resolution.overrides.values()]) links.set(p.name, p.dir);
  for (const [name, target] of links) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
  return { dir, linked: [...links.keys()], remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a plugin package's default export says about itself. */
export interface InspectedPlugin {
  package: string;
  id: string;
  kernel: string;
}

export interface Inspection {
  /** The plugin-contract version of the kernel the runtime uses (`KERNEL_VERSION`). */
  kernelVersion: string;
  plugins: InspectedPlugin[];
}

interface RawInspection {
  kernelVersion?: unknown;
  kernelError?: string;
  plugins: { package: string; error?: string; type?: string; id?: unknown; kernel?: unknown; init?: string }[];
}

// Runs in a child node process from the work directory: the plugins load exactly as the bundle's sources
// would, nothing stays loaded in the builder, and a plugin that hangs or exits cannot take the build with it.
const SCRIPT = `
const [kernelUrl, names, exports] = JSON.parse(process.argv[2]);
const out = { plugins: [] };
try { out.kernelVersion = (await import(kernelUrl)).KERNEL_VERSION; } catch (e) { out.kernelError = String(e && e.message || e); }
for (const [i, name] of names.entries()) {
  try {
    const p = (await import(name))[exports[i]];
    out.plugins.push({ package: name, type: p === null ? 'null' : typeof p, id: p?.id, kernel: p?.kernel, init: typeof p?.init });
  } catch (e) {
    out.plugins.push({ package: name, error: String(e && e.stack || e).split('\\n').slice(0, 4).join('\\n') });
  }
}
process.stdout.write(JSON.stringify(out));
process.exit(0);
`;

/**
 * Imports the runtime's kernel and every plugin package (in a child node process, from the work
 * directory) to read each plugin's id and `kernel` range, and checks them: a default export that is a
 * plugin, the range includes the kernel's `KERNEL_VERSION` (also the package.json `rr.kernel` manifest),
 * and ids are unique.
 *
 * @throws RR_ERR_BUILD_INSPECT_FAILED, RR_ERR_BUILD_NOT_A_PLUGIN, RR_ERR_BUILD_KERNEL_MISMATCH,
 * RR_ERR_BUILD_DUPLICATE_PLUGIN_ID (several as RR_ERR_BUILD_RESOLVE_FAILED)
 */
export async function inspectPlugins(resolution: Resolution, work: WorkDir): Promise<Inspection> {
  const kernelEntry = resolveFrom(KERNEL_PACKAGE, resolution.kernel.dir) ?? resolveFrom(KERNEL_PACKAGE, resolution.runtime.dir);
  if (kernelEntry === undefined) throw buildErrors.INSPECT_FAILED(`${KERNEL_PACKAGE} at ${resolution.kernel.dir} has no importable entry (is it built?)`);
  const names = resolution.plugins.map((p) => p.name);
  const scriptFile = join(work.dir, 'inspect.mjs');
  writeFileSync(scriptFile, SCRIPT);
  const raw = await new Promise<RawInspection>((resolve, reject) => {
    execFile(process.execPath, [scriptFile, JSON.stringify([pathToFileURL(kernelEntry).href, names, resolution.plugins.map((p) => p.export ?? 'default')])], { cwd: work.dir, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null && stdout === '') {
        reject(buildErrors.INSPECT_FAILED(`${err.message}${stderr === '' ? '' : `\n${stderr.trim().split('\n').slice(-6).join('\n')}`}`, { cause: err }));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as RawInspection);
      } catch (e) {
        reject(buildErrors.INSPECT_FAILED(`unreadable answer: ${stdout.slice(0, 200)}`, { cause: e }));
      }
    });
  });
  if (typeof raw.kernelVersion !== 'string') throw buildErrors.INSPECT_FAILED(`${KERNEL_PACKAGE} exports no KERNEL_VERSION${raw.kernelError === undefined ? '' : ` (${raw.kernelError})`}`);
  const kernelVersion = raw.kernelVersion;

  const problems: RrError[] = [];
  const plugins: InspectedPlugin[] = [];
  const byId = new Map<string, string[]>();
  raw.plugins.forEach((p, i) => {
    const pkg = resolution.plugins[i];
    if (p.error !== undefined) {
      problems.push(buildErrors.INSPECT_FAILED(`${p.package}: ${p.error}`));
      return;
    }
    if (p.type !== 'object' || typeof p.id !== 'string' || p.init !== 'function') {
      const which = pkg?.export === undefined || pkg.export === 'default' ? 'the default export' : `export ${pkg.export}`;
      problems.push(buildErrors.NOT_A_PLUGIN(p.package, p.type !== 'object' ? `${which} is ${p.type === 'undefined' ? 'missing' : (p.type ?? 'missing')}` : `${which} has no string id and init function`));
      return;
    }
    const kernel = typeof p.kernel === 'string' ? p.kernel : '';
    if (semver.validRange(kernel) === null || !semver.satisfies(kernelVersion, kernel, { includePrerelease: true })) {
      problems.push(buildErrors.KERNEL_MISMATCH(`${p.package} (plugin "${p.id}")`, kernel || '(none)', kernelVersion));
    }
    const manifest = pkg?.json.rr?.kernel;
    if (typeof manifest === 'string' && !semver.satisfies(kernelVersion, manifest, { includePrerelease: true })) {
      problems.push(buildErrors.KERNEL_MISMATCH(`${p.package} (package.json rr.kernel)`, manifest, kernelVersion));
    }
    byId.set(p.id, [...(byId.get(p.id) ?? []), p.package]);
    plugins.push({ package: p.package, id: p.id, kernel });
  });
  for (const [id, pkgs] of byId) if (pkgs.length > 1) problems.push(buildErrors.DUPLICATE_PLUGIN_ID(id, pkgs.join(', ')));
  if (problems.length > 0) throw aggregate(problems);
  return { kernelVersion, plugins };
}
