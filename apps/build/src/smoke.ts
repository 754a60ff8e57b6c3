import { execFile } from 'node:child_process';
import { buildErrors } from './errors.js';

export interface SmokeResult {
  /** The first line of --version. */
  versionLine: string;
  /** Plugin ids as `--version` lists them. */
  plugins: string[];
  ms: number;
}

/**
 * Runs `<artifact> --version` (through its shebang, as a user would) with a time limit and requires the
 * `plugins:` line to list exactly `expected`, in order, and the first line to name the distribution.
 *
 * @throws RR_ERR_BUILD_SMOKE_FAILED, RR_ERR_BUILD_SMOKE_MISMATCH
 */
export async function smokeTest(artifact: string, expected: { name: string; version: string; plugins: readonly string[] }, timeoutMs = 10_000): Promise<SmokeResult> {
  const started = performance.now();
  const { stdout, stderr, error } = await new Promise<{ stdout: string; stderr: string; error: (Error & { killed?: boolean; code?: unknown }) | null }>((resolve) => {
    // A clean environment for node: options meant for the builder (a test runner's loaders) must not leak in.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    execFile(artifact, ['--version'], { timeout: timeoutMs, env, maxBuffer: 1024 * 1024 }, (err, out, errOut) => resolve({ stdout: out, stderr: errOut, error: err }));
  });
  const ms = Math.round(performance.now() - started);
  if (error !== null) {
    const why = error.killed === true ? `no answer within ${timeoutMs} ms` : error.message.split('\n')[0] ?? String(error);
    throw buildErrors.SMOKE_FAILED(artifact, `${why}${stderr.trim() === '' ? '' : `\n${stderr.trim().split('\n').slice(0, 12).join('\n')}`}`);
  }
  const lines = stdout.split('\n');
  const versionLine = lines[0] ?? '';
  if (!versionLine.startsWith(`${expected.name} version ${expected.version} `)) {
    throw buildErrors.SMOKE_FAILED(artifact, `the first line is "${versionLine}", expected "${expected.name} version ${expected.version} (…)"`);
  }
  const pluginsLine = lines.find((l) => l.startsWith('plugins:'));
  if (pluginsLine === undefined) throw buildErrors.SMOKE_FAILED(artifact, `no "plugins:" line in:\n${stdout}`);
  const listed = pluginsLine.slice('plugins:'.length).trim();
  const plugins = listed === '(none)' || listed === '' ? [] : listed.split(',').map((s) => s.trim());
  if (plugins.join(',') !== expected.plugins.join(',')) throw buildErrors.SMOKE_MISMATCH(expected.plugins.join(', '), plugins.join(', '));
  return { versionLine, plugins, ms };
}
