import { readFileSync } from 'node:fs';

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Resident set size of a process in bytes, from `/proc/<pid>/status` (`VmRSS`, in kB, so no page-size
 * guess is needed). 0 when unknown (not Linux, process gone).
 */
export function readRss(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return 0;
  }
  const at = text.indexOf('VmRSS:');
  if (at < 0) return 0;
  const kb = Number.parseInt(text.slice(at + 6, text.indexOf('\n', at)), 10);
  return Number.isFinite(kb) ? kb * 1024 : 0;
}

/**
 * Average CPU use over the process lifetime in percent of one core: (utime + stime) / uptime.
 * 0 when unknown.
 */
export function readCpuPercent(pid: number, lifetimeMs: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) sit at indexes 11 and 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks) || lifetimeMs <= 0) return 0;
  return Math.round(((ticks / CLOCK_TICKS_PER_SECOND) * 1000 * 10000) / lifetimeMs) / 100;
}
