import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger } from '@rr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runOnInit, type OnInitOptions } from '../src/on-init.js';

const dir = mkdtempSync(join(tmpdir(), 'rr-server-on-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string[], over: Partial<OnInitOptions> = {}) {
  const logger = recordingLogger();
  const result = runOnInit({ command, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, credentials: {}, timeoutMs: 10_000, logger, ...over });
  return { logger, result };
}

/** True while `pid` runs; a zombie (killed, not yet reaped by an init that may never reap) counts as dead. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('runOnInit', () => {
  it('logs stdout and stderr line by line at info and succeeds on exit 0', async () => {
    const { logger, result } = run(['sh', '-c', 'echo one; echo two >&2; printf "three\\nfour"']);
    expect((await result).error).toBeUndefined();
    const output = logger.lines.filter((l) => l.level === 'info' && l.fields.stream !== undefined).map((l) => [l.message, l.fields.stream]);
    expect(output).toEqual(expect.arrayContaining([['one', 'stdout'], ['two', 'stderr'], ['three', 'stdout'], ['four', 'stdout']]));
    expect(output).toHaveLength(4);
    expect(logger.find('on_init finished', 'info')).toHaveLength(1);
  });

  it('passes the environment it is given', async () => {
    const { logger, result } = run(['sh', '-c', 'echo "mode=$MODE"'], { env: { MODE: 'migrate' } });
    await result;
    expect(logger.find('mode=migrate')).toHaveLength(1);
  });

  it('reports a non-zero exit as RR_ERR_SERVER_ON_INIT_FAILED with the status', async () => {
    const { logger, result } = run(['sh', '-c', 'echo boom >&2; exit 3']);
    const { error } = await result;
    expect(error).toMatchObject({ code: 'RR_ERR_SERVER_ON_INIT_FAILED', details: { exit_code: 3 } });
    expect(logger.find('boom', 'info')).toHaveLength(1);
    expect(logger.find('on_init failed', 'error')[0]?.fields).toMatchObject({ code: 'RR_ERR_SERVER_ON_INIT_FAILED' });
  });

  it('reports a command that cannot be spawned as RR_ERR_SERVER_ON_INIT_FAILED', async () => {
    const { result } = run(['/nonexistent/on-init-command']);
    const { error } = await result;
    expect(error?.code).toBe('RR_ERR_SERVER_ON_INIT_FAILED');
    expect(error?.message).toContain('ENOENT');
  });

  it('kills the whole process group at exec_timeout and reports RR_ERR_SERVER_ON_INIT_TIMEOUT', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const started = Date.now();
    const { logger, result } = run(['sh', '-c', `sleep 30 & echo $! > ${pidFile}; echo waiting; wait`], { timeoutMs: 500 });
    const { error } = await result;
    expect(error?.code).toBe('RR_ERR_SERVER_ON_INIT_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(logger.find('waiting')).toHaveLength(1);
    const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
    // The sleep was in the same group, so it died with the shell.
    await expect.poll(() => alive(grandchild), { timeout: 2_000 }).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)('runs as the given uid/gid', async () => {
    const { logger, result } = run(['sh', '-c', 'echo "uid=$(id -u) gid=$(id -g)"'], { credentials: { uid: 65534, gid: 65534 } });
    expect((await result).error).toBeUndefined();
    expect(logger.find('uid=65534 gid=65534')).toHaveLength(1);
  });
});
