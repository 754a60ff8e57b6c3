import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot, rrBin } from '../../helpers/paths.js';
import { run } from '../../helpers/run.js';

/** The example third-party plugin package (a workspace package, built to dist/ by tsc). */
export const greeterDir = join(repoRoot, 'examples/plugins/greeter');

/** Fails early with the fix when the greeter was not built: rr loads its dist/, as users' rr would. */
export function requireGreeterBuilt(): void {
  if (!existsSync(join(greeterDir, 'dist/index.js'))) throw new Error('examples/plugins/greeter is not built: run `pnpm --filter rr-plugin-greeter build`');
}

const dirs: string[] = [];

/** A temp project directory with the given files (nested paths allowed). */
export function tempProject(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-plugins-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export function removeProjects(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** `rr serve` on a config that must fail at start: exit code and stderr. */
export async function serveFails(config: string): Promise<{ code: number | null; stderr: string }> {
  const res = await run(process.execPath, [rrBin, 'serve', '-c', config], { cwd: dirname(config) });
  return { code: res.code, stderr: res.stderr };
}

/** The kernel version of the built rr, from `rr --version`. */
export async function kernelVersion(): Promise<string> {
  const res = await run(process.execPath, [rrBin, '--version']);
  const version = /\(kernel (\d+\.\d+\.\d+)/.exec(res.stdout)?.[1];
  if (version === undefined) throw new Error(`no kernel version in: ${res.stdout}`);
  return version;
}
