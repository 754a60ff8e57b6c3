import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '@rr/contracts';
import type { RrError } from '@rr/errors';
import type { Credentials } from './credentials.js';
import { serverErrors } from './errors.js';

/** What {@link runOnInit} needs; everything already resolved. */
export interface OnInitOptions {
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  credentials: Credentials;
  timeoutMs: number;
  logger: Logger;
}

/** How the on_init command ended: `error` is `undefined` on success. */
export interface OnInitResult {
  error: RrError | undefined;
}

// Output still buffered after the command exited (a daemon it started may hold the pipes) is read for
// at most this long, so on_init never waits on a grandchild.
const DRAIN_AFTER_EXIT_MS = 500;

function logLines(stream: Readable, logger: Logger, name: 'stdout' | 'stderr'): void {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
    if (line !== '') logger.info(line, { stream: name });
  });
}

/**
 * Runs `server.on_init.command` once, logging its stdout and stderr line by line at info. The command
 * runs in its own process group, and the whole group is killed (SIGKILL) when `timeoutMs` elapses, so a
 * shell script's children die with it. Never throws: a spawn failure, a non-zero exit, a signal or the
 * timeout is returned as `RR_ERR_SERVER_ON_INIT_FAILED` / `RR_ERR_SERVER_ON_INIT_TIMEOUT` and logged at
 * error; the caller decides whether that stops rr (`exit_on_error`).
 */
export function runOnInit(options: OnInitOptions): Promise<OnInitResult> {
  const { command, logger, timeoutMs } = options;
  const text = command.join(' ');
  const [file, ...args] = command as [string, ...string[]];
  const started = Date.now();
  return new Promise<OnInitResult>((resolve) => {
    let settled = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined = undefined;
    const finish = (error: RrError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) logger.info('on_init finished', { command: text, elapsed_ms: Date.now() - started });
      else logger.error('on_init failed', { command: text, code: error.code, error: error.message });
      resolve({ error });
    };

    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(file, args, {
        env: options.env,
        uid: options.credentials.uid,
        gid: options.credentials.gid,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      // Some failures (an invalid uid, EPERM on some platforms) are thrown rather than emitted.
      const cause = err instanceof Error ? err : new Error(String(err));
      finish(serverErrors.ON_INIT_FAILED(text, cause.message, { cause }));
      return;
    }
    logger.debug('on_init started', { command: text, pid: child.pid });
    logLines(child.stdout, logger, 'stdout');
    logLines(child.stderr, logger, 'stderr');

    timer = setTimeout(() => {
      timedOut = true;
      try {
        // Negative pid: the process group the detached child leads.
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone between the deadline and the kill.
      }
    }, timeoutMs);

    child.on('error', (err) => finish(serverErrors.ON_INIT_FAILED(text, err.message, { cause: err })));
    child.on('exit', (code, signal) => {
      const error = timedOut
        ? serverErrors.ON_INIT_TIMEOUT(text, timeoutMs)
        : code === 0
          ? undefined
          : serverErrors.ON_INIT_FAILED(text, code !== null ? `exit status ${String(code)}` : `killed by ${String(signal)}`, {
              details: { exit_code: code, signal },
            });
      const drain = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(error);
      }, DRAIN_AFTER_EXIT_MS);
      child.on('close', () => {
        clearTimeout(drain);
        finish(error);
      });
    });
  });
}
