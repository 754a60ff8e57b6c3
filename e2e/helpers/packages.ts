import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { run } from './run.js';

/** The fields of a package.json the packaging test reads. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  rr?: { id?: string; export?: string };
}

export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

export interface PackedPackage extends WorkspacePackage {
  tarball: string;
  /** Paths inside the tarball, without the leading `package/`. */
  entries: string[];
  /** The package.json pnpm wrote into the tarball (workspace: and catalog: replaced, publishConfig applied). */
  packed: Manifest;
}

/** Every package that is published: apps/*, packages/* and plugins/* not marked private. */
export function publicWorkspacePackages(): WorkspacePackage[] {
  const out: WorkspacePackage[] = [];
  for (const group of ['apps', 'packages', 'plugins']) {
    for (const name of readdirSync(join(repoRoot, group)).sort()) {
      const file = join(repoRoot, group, name, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (manifest.private !== true) out.push({ dir: join(repoRoot, group, name), manifest });
    }
  }
  return out;
}

/** The file name `pnpm pack` gives a package's tarball. */
export const tarballName = (m: Manifest) => `${m.name.replace(/^@/, '').replace('/', '-')}-${m.version}.tgz`;

/**
 * Packs every public package with `pnpm -r pack` into `dest`, exactly as `pnpm publish` would pack it, and
 * reads back each tarball's file list and package.json.
 */
export async function packPublicPackages(dest: string): Promise<PackedPackage[]> {
  const res = await run('pnpm', ['-r', '--filter', './apps/*', '--filter', './packages/*', '--filter', './plugins/*', 'pack', '--pack-destination', dest], {
    cwd: repoRoot,
    timeoutMs: 60_000,
  });
  if (res.code !== 0) throw new Error(`pnpm -r pack failed (${String(res.code ?? res.signal)}):\n${res.stdout}\n${res.stderr}`);
  return Promise.all(
    publicWorkspacePackages().map(async (pkg) => {
      const tarball = join(dest, tarballName(pkg.manifest));
      const list = await run('tar', ['-tzf', tarball]);
      if (list.code !== 0) throw new Error(`no tarball ${tarball} for ${pkg.manifest.name}: ${list.stderr}`);
      const json = await run('tar', ['-xzOf', tarball, 'package/package.json']);
      return {
        ...pkg,
        tarball,
        entries: list.stdout.split('\n').filter(Boolean).map((e) => e.replace(/^package\//, '')),
        packed: JSON.parse(json.stdout) as Manifest,
      };
    }),
  );
}

/**
 * Writes a project that depends on `dependencies` with every packed package mapped to its tarball through
 * `pnpm.overrides`, and installs it with pnpm. Third-party packages come from the pnpm store that the
 * monorepo's own install filled (`--prefer-offline`: the registry is asked only for what is missing).
 */
export async function installFromTarballs(dir: string, packed: readonly PackedPackage[], dependencies: Record<string, string>, timeoutMs: number) {
  const overrides = Object.fromEntries(packed.map((p) => [p.manifest.name, `file:${p.tarball}`]));
  const project = { name: 'rr-packaging-smoke', version: '0.0.0', private: true, type: 'module', dependencies, pnpm: { overrides } };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(project, null, 2)}\n`);
  // --no-frozen-lockfile: pnpm defaults to frozen under CI=true, and this project has no lockfile yet.
  return run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile', '--ignore-workspace', '--reporter=append-only', '--config.auto-install-peers=true'], {
    cwd: dir,
    timeoutMs,
  });
}

export interface ServingRr {
  child: ChildProcessWithoutNullStreams;
  /** http://host:port of the http plugin, from its 'http server listening' log line. */
  httpUrl: string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `<bin> serve -c <config>` (an installed rr, not the workspace's) and resolves once the http plugin
 * logged its address and the CLI printed its startup summary.
 */
export function serveInstalled(bin: string, config: string, cwd: string, timeoutMs = 20_000): Promise<ServingRr> {
  const child = spawn(bin, ['serve', '-c', config], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let httpUrl: string | undefined;
  let summary = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`installed rr not ready within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      for (const line of stderr.split('\n')) {
        if (line.startsWith('{') && httpUrl === undefined) {
          try {
            const log = JSON.parse(line) as { msg?: string; address?: string };
            if (log.msg === 'http server listening') httpUrl = `http://${String(log.address)}`;
          } catch {
            // a line still being written
          }
        }
        if (line.includes('plugin(s) enabled')) summary = true;
      }
      if (httpUrl !== undefined && summary) {
        clearTimeout(timer);
        resolve({ child, httpUrl, stderr: () => stderr, stop });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`installed rr exited with ${String(child.exitCode ?? child.signalCode)} before it was ready:\n${stderr}`));
    });
  });
}
