import { readdirSync, readFileSync } from 'node:fs';

// USER_HZ: 100 on every Linux ABI Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/** What `/proc/<pid>/stat` says about a live (non-zombie) process. */
interface ProcStat {
  state: string;
  pgrp: number;
  /** utime + stime in clock ticks. */
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** CPU and memory of one process, as service.Status reports them. */
export interface ProcessUsage {
  /** Average over the process lifetime, in percent of one core (gopsutil's CPUPercent). */
  cpuPercent: number;
  /** RSS in bytes. */
  memoryUsage: number;
}

/**
 * Reads the usage of a running process; `undefined` when it has exited (or is a zombie), which
 * service.Status reports in its `status` field.
 */
export function readUsage(pid: number, startedAt: number, now = Date.now()): ProcessUsage | undefined {
  const stat = readStat(pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const at = status.indexOf('VmRSS:');
  const kb = at < 0 ? 0 : Number.parseInt(status.slice(at + 6, status.indexOf('\n', at)), 10);
  const lifetimeMs = now - startedAt;
  const cpu = Number.isFinite(stat.cpuTicks) && lifetimeMs > 0 ? ((stat.cpuTicks / CLOCK_TICKS_PER_SECOND) * 1000 * 100) / lifetimeMs : 0;
  return { cpuPercent: Math.round(cpu * 100) / 100, memoryUsage: Number.isFinite(kb) ? kb * 1024 : 0 };
}

/**
 * Whether any live process is still in process group `pgid`. Zombies do not count: an orphan that init
 * has not reaped yet cannot be killed any further, and waiting for it would stall every stop.
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalGroup(pgid, 0);
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** Sends `signal` to every process of group `pgid`; false when the group is empty. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
