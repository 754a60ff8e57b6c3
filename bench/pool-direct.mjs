#!/usr/bin/env node
/* global process, performance, Buffer */
// Pool-direct ceiling: @rr/pool's createPool with N workers of an app's rr worker, driven in-process by
// `connections` concurrent closed-loop clients calling exec() with the JSON request context the http
// plugin sends for wrk's request (PROTOCOL.md §4.2), for the same warm-up and duration as wrk. No HTTP
// at all: this is the most rr's HTTP path could deliver with the same pool and workers.
//
//   node bench/pool-direct.mjs [--app hello] [--connections 32] [--duration 10] [--warmup 2] [--workers 2] [--json]
//
// Prints a one-line JSON result with --json (what bench/run.mjs reads), else a short summary.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');

const args = parseArgs(process.argv.slice(2), { app: 'hello', connections: '32', duration: '10', warmup: '2', workers: '2', port: '8080' });
const connections = Number(args.connections);
const durationS = Number(args.duration);
const warmupS = Number(args.warmup);
const numWorkers = Number(args.workers);
const worker = join(here, 'apps', args.app, 'worker.php');

const { createPool } = await import(join(repo, 'packages/pool/dist/index.js'));

const CODEC_JSON = 0x08;
const quiet = () => undefined;
const logger = {
  debug: quiet,
  info: quiet,
  warn: (m, f) => process.stderr.write(`pool warn: ${m} ${f ? JSON.stringify(f) : ''}\n`),
  error: (m, f) => process.stderr.write(`pool error: ${m} ${f ? JSON.stringify(f) : ''}\n`),
};

// The same environment rr gives HTTP workers (RR_RELAY is set by the pool).
const version = JSON.parse(readFileSync(join(repo, 'apps/rr/package.json'), 'utf8')).version;
const pool = createPool({
  name: 'http',
  command: ['/usr/bin/php', '-d', 'opcache.enable_cli=1', worker],
  env: { ...process.env, RR_MODE: 'http', RR_VERSION: version },
  relay: 'pipes',
  // http.pool with only num_workers set, as rr resolves it (no supervisor section).
  config: {
    num_workers: numWorkers,
    max_jobs: 0,
    max_queue_size: 0,
    allocate_timeout: 60_000,
    reset_timeout: 60_000,
    destroy_timeout: 60_000,
    stream_timeout: 60_000,
    debug: false,
  },
  logger,
  onFatal: (err) => {
    process.stderr.write(`pool fatal: ${err}\n`);
    process.exit(1);
  },
});

// The context the http plugin builds for wrk's `GET / HTTP/1.1` + `Host:` (Host is not a header
// entry; key order is RoadRunner's). Built once: the ceiling measures the pool, not JSON.stringify.
const context = Buffer.from(
  JSON.stringify({
    remoteAddr: '127.0.0.1',
    protocol: 'HTTP/1.1',
    method: 'GET',
    uri: `http://127.0.0.1:${args.port}/`,
    headers: {},
    cookies: {},
    rawQuery: '',
    parsed: false,
    uploads: null,
    attributes: {},
  }),
);
const EMPTY = Buffer.alloc(0);

let stopping = false;
const shutdown = async (code) => {
  if (stopping) return;
  stopping = true;
  await pool.destroy().catch(() => undefined);
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

try {
  await pool.start();
  const idleRssKb = Math.round(process.memoryUsage().rss / 1024);

  /** One closed-loop client: exec, check the answer, repeat until the deadline. */
  async function client(deadline, latencies, counters) {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.exec({ context, body: EMPTY, codec: CODEC_JSON });
        if (res.stream) for await (const chunk of res.stream) void chunk;
        const status = res.context.length > 0 ? JSON.parse(res.context.toString('utf8')).status : 200;
        if (status < 200 || status > 399 || res.body.length === 0) counters.bad++;
      } catch {
        counters.errors++;
      }
      latencies?.push(performance.now() - t0);
      counters.done++;
    }
  }

  async function phase(seconds, latencies) {
    const counters = { done: 0, errors: 0, bad: 0 };
    const start = performance.now();
    const deadline = start + seconds * 1000;
    await Promise.all(Array.from({ length: connections }, () => client(deadline, latencies, counters)));
    return { ...counters, seconds: (performance.now() - start) / 1000 };
  }

  if (warmupS > 0) await phase(warmupS, undefined);
  const latencies = [];
  const cpu0 = process.cpuUsage();
  const result = await phase(durationS, latencies);
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const workers = pool.workers();
  const out = {
    app: args.app,
    connections,
    durationS,
    workers: numWorkers,
    requests: result.done,
    seconds: result.seconds,
    rps: result.done / result.seconds,
    latencyMs: { p50: pct(50), p75: pct(75), p90: pct(90), p99: pct(99), max: latencies.at(-1) ?? 0, avg: latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1) },
    errors: result.errors + result.bad,
    mainCpuS: (cpu.user + cpu.system) / 1e6,
    rssKb: { mainIdle: idleRssKb, main: Math.round(process.memoryUsage().rss / 1024), workers: workers.reduce((a, w) => a + Math.round(w.memoryUsage / 1024), 0) },
    workerPids: workers.map((w) => w.pid),
  };
  if (args.json !== undefined) process.stdout.write(`${JSON.stringify(out)}\n`);
  else
    process.stdout.write(
      `pool-direct ${args.app}: ${out.rps.toFixed(0)} req/s, p50 ${out.latencyMs.p50.toFixed(2)} ms, p99 ${out.latencyMs.p99.toFixed(2)} ms, errors ${out.errors} (${connections} in flight, ${durationS}s, ${numWorkers} workers)\n`,
    );
  await shutdown(0);
} catch (err) {
  process.stderr.write(`pool-direct failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await shutdown(1);
}

function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, v] = a.slice(2).split('=', 2);
    if (v !== undefined) out[k] = v;
    else if (k === 'json') out.json = '1';
    else out[k] = argv[++i];
  }
  return out;
}
