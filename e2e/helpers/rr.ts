import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { php, rrBin } from './paths.js';

/** One JSON log line of rr in production mode. */
export interface LogLine {
  level: string;
  logger?: string;
  msg: string;
  [field: string]: unknown;
}

export interface RrProcess {
  child: ChildProcessWithoutNullStreams;
  dir: string;
  /** Every JSON log line so far (stderr, production mode). */
  logs: LogLine[];
  /** Non-JSON stderr lines (CLI summary, errors). */
  text: string[];
  /** The address rr's http plugin listens on, as http://host:port. */
  httpUrl: string | undefined;
  rpcAddress: string | undefined;
  /** Resolves with the first log line matching, waiting for it if needed. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM and wait for exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts the built rr on a config written into a fresh temp dir. Ports are never fixed: configs listen on
 * port 0 and the real addresses are read from rr's 'listening' log lines. Ready = the CLI printed its
 * summary, which it does after every plugin's serve resolved.
 */
export async function startRr(options: {
  config: string;
  files?: Record<string, string>;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** The executable to run instead of apps/rr/dist/main.js (e.g. a distribution rr-build bundled). */
  bin?: string;
}): Promise<RrProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-'));
  writeFileSync(join(dir, '.rr.yaml'), options.config);
  for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
  const child = spawn(options.bin ?? rrBin, ['serve', '-c', join(dir, '.rr.yaml'), ...(options.args ?? [])], {
    cwd: dir,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters: { pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }[] = [];
  let buffered = '';
  const onLine = (line: string) => {
    if (line.startsWith('{')) {
      try {
        const parsed = JSON.parse(line) as LogLine;
        logs.push(parsed);
        for (const w of [...waiters]) {
          if (w.pred(parsed)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(parsed);
          }
        }
        return;
      } catch {
        // not a log line after all
      }
    }
    text.push(line);
  };
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stdout.setEncoding('utf8').on('data', (d: string) => text.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const proc: RrProcess = {
    child,
    dir,
    logs,
    text,
    httpUrl: undefined,
    rpcAddress: undefined,
    waitForLog(pred, timeoutMs = 10_000) {
      const found = logs.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr:\n${text.join('\n')}`)), timeoutMs);
        waiters.push({ pred, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
    exited,
  };

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rr not ready within ${options.readyTimeoutMs ?? 20_000} ms:\n${text.join('\n')}`)), options.readyTimeoutMs ?? 20_000);
    const check = () => {
      if (text.some((l) => l.includes('plugin(s) enabled'))) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rr exited with ${code} before it was ready:\n${text.join('\n')}\n${JSON.stringify(logs)}`));
    });
  });
  try {
    await ready;
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const http = logs.find((l) => l.msg === 'http server listening');
  if (http) proc.httpUrl = `http://${String(http.address)}`;
  const rpc = logs.find((l) => l.msg === 'rpc listening');
  if (rpc) proc.rpcAddress = String(rpc.address);
  return proc;
}

/** A config for the http tests: 2 workers of `worker` (a PHP file name in the temp dir), JSON logs on stderr. */
/**
 * The smallest config that serves HTTP from one PHP worker: server, http and logs only (no rpc section),
 * so it also runs on a trimmed distribution. `extra` is appended as top-level YAML.
 */
export function minimalHttpConfig(worker: string, extra = ''): string {
  return `version: "3"
server:
  command: "${php} ${worker}"
http:
  address: 127.0.0.1:0
  pool:
    num_workers: 1
    allocate_timeout: 10s
logs:
  mode: production
  level: info
${extra}`;
}

export function httpConfig(worker: string, options: { extra?: string; pool?: string; rpcPort?: number } = {}): string {
  const { extra = '', pool = '', rpcPort = 0 } = options;
  return `version: "3"
server:
  command: "php ${worker}"
http:
  address: 127.0.0.1:0
  pool:
    num_workers: 2
    allocate_timeout: 10s
${pool}
rpc:
  listen: tcp://127.0.0.1:${rpcPort}
logs:
  mode: production
  level: info
${extra}`;
}
