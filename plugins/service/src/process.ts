import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Logger, ProcessState } from '@rr/contracts';
import { serviceErrors } from './errors.js';
import { groupAlive, readUsage, signalGroup } from './proc-stats.js';
import type { StatusMessage } from './proto.js';

/** One service's settings, resolved (durations in ms), whether from YAML or service.Create. */
export interface ServiceSpec {
  name: string;
  command: string;
  processNum: number;
  /** 0 = no limit. */
  execTimeoutMs: number;
  remainAfterExit: boolean;
  restartMs: number;
  stopTimeoutMs: number;
  serviceNameInLog: boolean;
  env: Readonly<Record<string, string>>;
  user: string;
}

const POLL_MS = 25;
// SIGKILL is not refused, but delivery and teardown take a moment; this only bounds a wait that should not
// run out (a process stuck in uninterruptible sleep).
const AFTER_KILL_MS = 2_000;

/**
 * One copy of a service's command (RoadRunner's Process): spawned in its own process group, its output
 * logged line by line, killed after exec_timeout, started again after restart_sec when remain_after_exit
 * says so, and stopped group-wide with SIGINT, then SIGKILL after timeout_stop_sec.
 */
export class ServiceProcess {
  readonly #spec: ServiceSpec;
  /** Lifecycle lines (started, exited). */
  readonly #log: Logger;
  /** The process's own output. */
  readonly #output: Logger;
  #pid = 0;
  #startedAt = 0;
  #running = false;
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;
  /** A restart that has begun spawning; stop waits for it, or the new process would escape it. */
  #restarting: Promise<void> | undefined;
  #execTimer: NodeJS.Timeout | undefined;

  constructor(spec: ServiceSpec, log: Logger, output: Logger) {
    this.#spec = spec;
    this.#log = log;
    this.#output = output;
  }

  /** The current (or last) pid; 0 before the first start. */
  get pid(): number {
    return this.#pid;
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Spawns the command. Resolves once the OS has started it.
   *
   * @throws RR_ERR_SERVICE_START_FAILED (program missing, not executable …), RR_ERR_SERVICE_UNKNOWN_USER.
   */
  async start(): Promise<void> {
    const spec = this.#spec;
    // RoadRunner splits on single spaces and runs no shell: "a  b" has an empty argument, quotes stay.
    const [program = '', ...args] = spec.command.split(' ');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(spec.env)) env[key.toUpperCase()] = expandEnv(value, process.env);
    const identity = spec.user === '' ? {} : lookupUser(spec.name, spec.user);
    let child: ChildProcess;
    try {
      // A process group of its own (setsid), so stop and exec_timeout reach the children it forks too.
      child = spawn(program, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], ...identity });
    } catch (err) {
      throw serviceErrors.START_FAILED(spec.name, spec.command, err instanceof Error ? err.message : String(err), { cause: err });
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => {
        reject(serviceErrors.START_FAILED(spec.name, spec.command, err.message, { cause: err }));
      });
    });
    this.#pid = child.pid ?? 0;
    this.#startedAt = Date.now();
    this.#running = true;
    pipeLines(child.stdout, this.#output);
    pipeLines(child.stderr, this.#output);
    child.on('error', (err) => this.#log.error('service process error', { name: spec.name, pid: this.#pid, error: err.message }));
    child.once('exit', (code, signal) => {
      this.#running = false;
      clearTimeout(this.#execTimer);
      this.#onExit(child.pid ?? 0, code, signal);
    });
    if (spec.execTimeoutMs > 0) {
      this.#execTimer = setTimeout(() => {
        this.#log.warn('service exec_timeout reached, killing it', { name: spec.name, pid: this.#pid, exec_timeout_ms: spec.execTimeoutMs });
        signalGroup(this.#pid, 'SIGKILL');
      }, spec.execTimeoutMs);
    }
  }

  #onExit(pid: number, code: number | null, signal: NodeJS.Signals | null): void {
    const fields = { name: this.#spec.name, pid, ...(signal === null ? { exit_code: code } : { signal }) };
    if (code === 0) this.#log.info('service process exited', fields);
    else this.#log.warn('service process exited', fields);
    if (this.#stopping || !this.#spec.remainAfterExit) return;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (this.#stopping) return;
      this.#restarting = this.start().then(
        () => this.#log.info('service process restarted', { name: this.#spec.name, pid: this.#pid }),
        (err: unknown) => this.#log.error('service process start error', { name: this.#spec.name, error: err instanceof Error ? err.message : String(err) }),
      );
    }, this.#spec.restartMs);
  }

  /**
   * Stops for good (no restart): SIGINT to the whole group, SIGKILL to what is left after timeout_stop_sec
   * or as soon as `signal` aborts. Resolves when no live process is left in its group.
   */
  async stop(signal?: AbortSignal): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    await this.#restarting;
    clearTimeout(this.#execTimer);
    const pgid = this.#pid;
    if (pgid === 0 || (!this.#running && !groupAlive(pgid))) return;
    signalGroup(pgid, 'SIGINT');
    const done = () => !this.#running && !groupAlive(pgid);
    if (!(await waitFor(done, this.#spec.stopTimeoutMs, signal))) {
      this.#log.warn('service did not stop in time, killing it', { name: this.#spec.name, pid: pgid, timeout_stop_ms: this.#spec.stopTimeoutMs });
      signalGroup(pgid, 'SIGKILL');
      await waitFor(done, AFTER_KILL_MS);
    }
  }

  /** service.v1.Status of this process; `status` holds the reason when it cannot be inspected. */
  status(): StatusMessage {
    const usage = this.#running ? readUsage(this.#pid, this.#startedAt) : undefined;
    if (usage === undefined) {
      return { cpu_percent: 0, pid: this.#pid, memory_usage: 0, command: this.#spec.command, status: { code: 0, message: 'process does not exist' } };
    }
    return { cpu_percent: usage.cpuPercent, pid: this.#pid, memory_usage: usage.memoryUsage, command: this.#spec.command };
  }

  /** The process as `rr workers` and informer.Workers show it; undefined when not running. */
  processState(): ProcessState | undefined {
    if (!this.#running) return undefined;
    const usage = readUsage(this.#pid, this.#startedAt);
    return {
      pid: this.#pid,
      status: 1,
      statusStr: 'ready',
      numExecs: 0,
      created: this.#startedAt * 1_000_000,
      memoryUsage: usage?.memoryUsage ?? 0,
      CPUPercent: usage?.cpuPercent ?? 0,
      command: this.#spec.command,
    };
  }
}

/** Logs every non-blank line of a stream at info, whitespace trimmed as RoadRunner does; a last unterminated line too. */
function pipeLines(stream: NodeJS.ReadableStream | null, log: Logger): void {
  if (stream === null) return;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emit = (line: string) => {
    const text = line.trim();
    if (text !== '') log.info(text);
  };
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + decoder.write(chunk)).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(line);
  });
  stream.on('end', () => emit(pending + decoder.end()));
}

/** Go's os.Expand with os.Getenv: `$NAME` and `${NAME}`; unset names expand to "". */
export function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_all, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ''] ?? '');
}

/** uid/gid of a user name or numeric uid, from /etc/passwd. */
function lookupUser(service: string, user: string): { uid: number; gid: number } {
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // No passwd file: only a numeric uid can work.
  }
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user || uid === user) return { uid: Number(uid), gid: Number(gid) };
  }
  if (/^\d+$/.test(user)) return { uid: Number(user), gid: Number(user) };
  throw serviceErrors.UNKNOWN_USER(service, user);
}

async function waitFor(predicate: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline || signal?.aborted === true) return false;
    await delay(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
  return true;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
