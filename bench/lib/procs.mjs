/* global process, setTimeout */
// Process bookkeeping for the bench: every process the bench starts is tracked by pid and stopped on
// exit, Ctrl-C, SIGTERM or a crash of the runner. Nothing is ever killed by name.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, readdirSync } from 'node:fs';

/** @typedef {{ name: string, child: import('node:child_process').ChildProcess, pid: number, exited: Promise<{code: number|null, signal: string|null}>, alive: () => boolean, stopSignal: NodeJS.Signals, knownExtra: Set<number> }} Tracked */

/** @type {Set<Tracked>} */
const tracked = new Set();
let installed = false;
let cleaning;

/**
 * Spawns a process in its own process group (so a terminal Ctrl-C reaches only the runner, which then
 * stops everything in order), stdout/stderr appended to `logFile` (or ignored).
 *
 * @param {string} name label for messages
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, logFile?: string, stopSignal?: NodeJS.Signals, stdout?: 'pipe' }} [options]
 * @returns {Tracked}
 */
export function spawnTracked(name, command, args, options = {}) {
  installCleanup();
  let fd;
  if (options.logFile !== undefined) fd = openSync(options.logFile, 'a');
  const out = fd ?? 'ignore';
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', options.stdout === 'pipe' ? 'pipe' : out, out],
    detached: true,
  });
  if (fd !== undefined) closeSync(fd);
  let exitedFlag = false;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      tracked.delete(entry);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      exitedFlag = true;
      tracked.delete(entry);
      resolve({ code: -1, signal: null, error: err });
    });
  });
  /** @type {Tracked} */
  const entry = {
    name,
    child,
    pid: child.pid ?? -1,
    exited,
    alive: () => !exitedFlag,
    stopSignal: options.stopSignal ?? 'SIGTERM',
    // Processes the tracked one started in other process groups (rr's PHP workers): remembered while
    // it runs so they can be killed by pid should it die without stopping them.
    knownExtra: new Set(),
  };
  tracked.add(entry);
  return entry;
}

/** Remembers pids started by `entry` outside its process group (e.g. rr workers), for cleanup. */
export function rememberExtraPids(entry, pids) {
  for (const pid of pids) entry.knownExtra.add(pid);
}

/**
 * Stops a tracked process: its stop signal to its process group, then SIGKILL to the group after
 * `timeoutMs`; then SIGKILL to remembered extra pids still alive.
 */
export async function stopTracked(entry, timeoutMs = 10_000) {
  if (entry.alive()) {
    signalGroup(entry.pid, entry.stopSignal);
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));
    const result = await Promise.race([entry.exited.then(() => 'exited'), timer]);
    if (result === 'timeout') {
      process.stderr.write(`bench: ${entry.name} (pid ${entry.pid}) did not stop within ${timeoutMs} ms, killing\n`);
      signalGroup(entry.pid, 'SIGKILL');
      await Promise.race([entry.exited, new Promise((r) => setTimeout(r, 2000))]);
    }
  }
  // Workers in their own process groups (rr's pool isolates them) get a grace period to see EOF.
  const leftovers = [...entry.knownExtra].filter(isAlive);
  if (leftovers.length > 0) {
    await new Promise((r) => setTimeout(r, 1000));
    for (const pid of leftovers.filter(isAlive)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** @type {Array<() => void>} */
const afterStop = [];

/** Runs `fn` (synchronously, errors ignored) once every process is stopped on a signal. */
export function onInterruptCleanup(fn) {
  afterStop.push(fn);
}

/** Stops everything still tracked, in reverse start order. */
export async function stopAll() {
  cleaning ??= (async () => {
    const list = [...tracked].reverse();
    for (const entry of list) await stopTracked(entry, 8000);
  })();
  return cleaning;
}

function killAllSync() {
  for (const entry of tracked) {
    signalGroup(entry.pid, 'SIGKILL');
    for (const pid of entry.knownExtra) signalGroup(pid, 'SIGKILL');
  }
}

function installCleanup() {
  if (installed) return;
  installed = true;
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) {
      process.stderr.write(`\nbench: second ${signal}, killing everything now\n`);
      killAllSync();
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write(`\nbench: ${signal}, stopping every process the bench started…\n`);
    stopAll().finally(() => {
      for (const fn of afterStop) {
        try {
          fn();
        } catch {
          // best effort
        }
      }
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Last resort: a synchronous exit (process.exit, crash) still kills whatever is left.
  process.on('exit', killAllSync);
}

// ── /proc readers ──────────────────────────────────────────────────────────────────────────────

/** Direct children of `pid` (scan of /proc/<n>/stat, field 4). */
export function childrenOf(pid) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat !== undefined && stat.ppid === pid) out.push(Number(name));
  }
  return out;
}

/** pid, comm, ppid, utime+stime (clock ticks) from /proc/<pid>/stat. */
export function readStat(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // fields[0] = state (field 3), ppid = field 4, utime = 14, stime = 15
  return { pid, comm, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), sysTicks: Number(fields[12]) };
}

/** VmRSS and VmHWM in kB, from /proc/<pid>/status; undefined when gone. */
export function readMem(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const rss = /VmRSS:\s+(\d+) kB/.exec(text);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(text);
  return { rssKb: rss ? Number(rss[1]) : 0, hwmKb: hwm ? Number(hwm[1]) : 0 };
}

/** Sum of VmRSS (kB) over pids. */
export function sumRssKb(pids) {
  let sum = 0;
  for (const pid of pids) sum += readMem(pid)?.rssKb ?? 0;
  return sum;
}

/** CPU ticks per pid (for a before/after delta); `sys` = the kernel-time part. */
export function cpuTicks(pids, sys = false) {
  const out = new Map();
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat !== undefined) out.set(pid, sys ? stat.sysTicks : stat.cpuTicks);
  }
  return out;
}

export const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64
