/* global setTimeout, clearTimeout */
// Runs wrk (bounded: fixed duration plus a kill deadline) and parses its --latency text output.
import { spawnTracked, stopTracked } from './procs.mjs';

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms" → 1.23 (milliseconds); undefined when not a wrk duration. */
export function parseDuration(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/**
 * Parses wrk 4.x output (with --latency).
 *
 * @returns {{ requests: number, seconds: number, rps: number, latencyMs: { avg?: number, max?: number, p50?: number, p75?: number, p90?: number, p99?: number }, non2xx: number, socketErrors: { connect: number, read: number, write: number, timeout: number }, errors: number }}
 */
export function parseWrk(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const rps = num(/Requests\/sec:\s+([\d.]+)/);
  const summary = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(text);
  if (rps === undefined || summary === null) throw new Error(`cannot parse wrk output:\n${text}`);
  const latencyMs = {};
  const lat = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  if (lat) {
    latencyMs.avg = parseDuration(lat[1]);
    latencyMs.max = parseDuration(lat[3]);
  }
  const dist = /Latency Distribution\s*\n([\s\S]*?)(?:\n\s*\d+ requests in)/.exec(text);
  if (dist) {
    for (const line of dist[1].split('\n')) {
      const m = /^\s*(\d+)%\s+(\S+)/.exec(line);
      if (m) latencyMs[`p${m[1]}`] = parseDuration(m[2]);
    }
  }
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = sock
    ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
    : { connect: 0, read: 0, write: 0, timeout: 0 };
  const non2xx = num(/Non-2xx or 3xx responses:\s+(\d+)/) ?? 0;
  return {
    requests: Number(summary[1]),
    seconds: Number(summary[2]) * UNIT_MS[summary[3]] / 1000,
    rps,
    latencyMs,
    non2xx,
    socketErrors,
    errors: non2xx + socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout,
  };
}

/**
 * `wrk -t<threads> -c<connections> -d<duration>s --latency --timeout <t>s <url>`; killed if it
 * overruns its duration by 15 s.
 */
export async function runWrk({ url, threads, connections, durationS, timeoutS = 10, logFile }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${durationS}s`, '--latency', '--timeout', `${timeoutS}s`, url];
  const proc = spawnTracked('wrk', '/usr/bin/wrk', args, { stdout: 'pipe', logFile });
  let out = '';
  proc.child.stdout.setEncoding('utf8');
  proc.child.stdout.on('data', (d) => {
    out += d;
  });
  const guard = setTimeout(() => void stopTracked(proc, 2000), (durationS + 15) * 1000);
  const { code, signal } = await proc.exited;
  clearTimeout(guard);
  if (code !== 0) throw new Error(`wrk exited with ${code ?? signal}:\n${out}`);
  return { ...parseWrk(out), raw: out, command: `wrk ${args.join(' ')}` };
}
