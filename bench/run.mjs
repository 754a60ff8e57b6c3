#!/usr/bin/env node
/* global process, setTimeout, setInterval, clearTimeout, clearInterval */
// rr benchmark: rr vs nginx + php-fpm vs php -S (and rr's pool-direct ceiling), side by side in one
// run, on loopback, bounded in time. See bench/README.md.
//
//   node bench/run.mjs [--duration 10] [--connections 32] [--only hello] [--help]
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrateBootstrapHeavy } from './lib/calibrate.mjs';
import { get } from './lib/net.mjs';
import { CLOCK_TICKS, childrenOf, cpuTicks, onInterruptCleanup, readMem, readStat, spawnTracked, stopAll, stopTracked, sumRssKb } from './lib/procs.mjs';
import { summarizeProfile } from './lib/profile.mjs';
import { computeRatios, evaluateTargets, markdown, pickMedian } from './lib/report.mjs';
import { NGINX, PHP, PHP_FPM, SERVERS, startRr, startServer } from './lib/servers.mjs';
import { runWrk } from './lib/wrk.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const APPS = ['hello', 'bootstrap-heavy'];
const ALL_SERVERS = [...SERVERS, 'pool'];

const HELP = `usage: node bench/run.mjs [options]

  --duration <s>        measured wrk run per app × server (default 10)
  --connections <n>     wrk connections = pool-direct concurrency (default 32)
  --threads <n>         wrk threads (default 2)
  --warmup <s>          warm-up before each measured run (default 2)
  --only <list>         comma list of apps (hello, bootstrap-heavy) and/or servers (rr, fpm, php-s, pool)
  --rounds <n>          repeat every app × server n times, interleaved; report the median (default 1)
  --workers <n>         PHP workers for rr, php-fpm and pool-direct (default 2)
  --nginx-workers <n>   nginx worker_processes: a number or auto (default 1)
  --boot-ms <ms>        boot work of bootstrap-heavy (default 17)
  --no-calibrate        reuse the last calibration of bootstrap-heavy
  --settle <s>          before each run, wait up to this long for the machine to be quiet: background
                        CPU below --quiet-pct over 1 s (default 30; 0 = do not wait)
  --quiet-pct <n>       what counts as quiet, % of all cores busy (default 15)
  --profile <mode>      auto (when an rr target fails), always, never (default auto)
  --build               run \`pnpm turbo run build\` first
  --rr-main <path>      the rr entry to run (default apps/rr/dist/main.js)
  --keep-tmp            keep the temp dir (configs, logs) even when everything went well
  --out <dir>           results directory (default bench/results)
`;

const opts = parseArgs(process.argv.slice(2));
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

async function main() {
  if (opts.build) {
    log('building (pnpm turbo run build)…');
    execFileSync('pnpm', ['turbo', 'run', 'build'], { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const tokens = opts.only;
  const apps = tokens.some((t) => APPS.includes(t)) ? APPS.filter((a) => tokens.includes(a)) : APPS;
  let servers = tokens.some((t) => ALL_SERVERS.includes(t)) ? ALL_SERVERS.filter((s) => tokens.includes(s)) : ALL_SERVERS;
  const unknown = tokens.filter((t) => !APPS.includes(t) && !ALL_SERVERS.includes(t));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')} (apps: ${APPS.join(', ')}; servers: ${ALL_SERVERS.join(', ')})`);

  for (const [bin, what] of [
    [PHP, 'php'],
    [PHP_FPM, 'php-fpm'],
    [NGINX, 'nginx'],
    ['/usr/bin/wrk', 'wrk'],
  ]) {
    if (!existsSync(bin)) throw new Error(`${what} not found at ${bin}`);
  }

  const notes = [];
  const rrState = rrAvailability();
  if (!rrState.ok) {
    log(`rr skipped: ${rrState.reason}`);
    notes.push(`rr was not measured: ${rrState.reason}`);
    servers = servers.filter((s) => s !== 'rr');
  }
  if (servers.includes('pool') && !existsSync(join(repo, 'packages/pool/dist/index.js'))) {
    notes.push('pool-direct was not measured: packages/pool/dist/index.js is missing (build @rr/pool)');
    servers = servers.filter((s) => s !== 'pool');
  }

  const tmp = mkdtempSync(join(os.tmpdir(), 'rr-bench-'));
  log(`temp dir ${tmp}`);
  if (!opts.keepTmp) onInterruptCleanup(() => rmSync(tmp, { recursive: true, force: true }));
  const ctx = {
    tmp,
    repo,
    appsDir: join(here, 'apps'),
    isRoot: process.getuid?.() === 0,
    workers: opts.workers,
    nginxWorkers: opts.nginxWorkers,
    rrMain: opts.rrMain,
  };
  const outDir = opts.out;
  mkdirSync(outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');

  let calibration;
  if (apps.includes('bootstrap-heavy')) {
    const calFile = join(ctx.appsDir, 'bootstrap-heavy/generated/calibration.php');
    if (!opts.calibrate && existsSync(calFile)) {
      const iterations = Number(/return (\d+);/.exec(readFileSync(calFile, 'utf8'))?.[1]);
      log(`bootstrap-heavy: reusing calibration (${iterations} iterations)`);
      calibration = { iterations, targetMs: opts.bootMs, loadMs: NaN, nsPerIteration: NaN, verifyMs: [], medianMs: NaN, reused: true };
    } else {
      log(`bootstrap-heavy: calibrating the boot to ~${opts.bootMs} ms of CPU…`);
      await settle();
      calibration = await calibrateBootstrapHeavy({ appsDir: ctx.appsDir, targetMs: opts.bootMs, log });
      log(
        `bootstrap-heavy: ${calibration.iterations} loop iterations; class loading ${calibration.loadMs.toFixed(2)} ms; boot ${calibration.lowMs.toFixed(2)} ms CPU (low end), median ${calibration.medianMs.toFixed(2)} ms`,
      );
    }
  }

  /** @type {Map<string, any[]>} */
  const runs = new Map();
  const opcache = [];
  const bootSeen = [];
  const order = [];
  for (const app of apps) for (const server of servers) order.push(`${app}/${server}`);

  for (let round = 1; round <= opts.rounds; round++) {
    for (const key of order) {
      const [app, server] = key.split('/');
      log(`${opts.rounds > 1 ? `round ${round}/${opts.rounds}: ` : ''}${app} on ${server}…`);
      const settled = await settle();
      let result;
      try {
        result = server === 'pool' ? await measurePool(app) : await measureServer(app, server, ctx, round === 1 ? { opcache, bootSeen } : undefined);
      } catch (err) {
        result = { app, server, error: err instanceof Error ? err.message : String(err) };
        log(`  FAILED: ${result.error}`);
      }
      result.settle = settled;
      if (result.error === undefined) {
        log(
          `  ${result.rps.toFixed(0)} req/s, p50 ${result.latencyMs.p50?.toFixed(2)} ms, p99 ${result.latencyMs.p99?.toFixed(2)} ms, errors ${result.errors}` +
            (result.mem ? `, RSS main ${(result.mem.frontRssKb / 1024).toFixed(1)} MB / workers ${(result.mem.workersRssKb / 1024).toFixed(1)} MB` : '') +
            (result.machine ? `, other load ${result.machine.otherPct.toFixed(0)} %` : ''),
        );
      }
      const list = runs.get(key) ?? [];
      list.push(result);
      runs.set(key, list);
    }
  }

  const best = new Map();
  for (const [key, list] of runs) best.set(key, pickMedian(list));
  const ratios = computeRatios(best);
  const targets = evaluateTargets(best, ratios);

  let profile;
  const rrFailed = targets.some((t) => t.status === 'FAIL');
  if (rrState.ok && servers.includes('rr') && (opts.profile === 'always' || (opts.profile === 'auto' && rrFailed))) {
    const app = apps.includes('hello') ? 'hello' : apps[0];
    log(`profiling rr on ${app} (node --cpu-prof)…`);
    await settle();
    profile = await profileRr(app, ctx, outDir, stamp).catch((err) => ({ app, error: err instanceof Error ? err.message : String(err) }));
  }

  const maxOther = Math.max(0, ...[...best.values()].map((r) => r.machine?.otherPct ?? 0));
  if (maxOther > 10) {
    notes.push(
      `Background load: up to ${maxOther.toFixed(0)} % of the machine was used by processes outside the benchmark during a measured run (see "other load %"); absolute numbers are disturbed, ratios between servers less so. Re-run on a quiet machine, or with --rounds 3.`,
    );
  }
  if (opts.nginxWorkers !== '1') notes.push(`nginx ran with worker_processes ${opts.nginxWorkers}.`);

  const meta = machineMeta();
  const report = {
    meta: { ...meta, rr: rrState.ok ? `${rrState.version} [${rrState.plugins}] via ${opts.rrMain.replace(`${repo}/`, '')}` : `not run (${rrState.reason})`, date: new Date().toISOString(), threads: opts.threads, connections: opts.connections, durationS: opts.duration, warmupS: opts.warmup, rounds: opts.rounds, workers: opts.workers, nginxWorkers: opts.nginxWorkers },
    best,
    ratios,
    targets,
    opcache,
    calibration,
    bootSeen,
    profile,
    order,
    notes,
  };
  const md = markdown(report);
  const json = {
    ...report,
    best: Object.fromEntries([...best].map(([k, v]) => [k, stripRaw(v)])),
    runs: Object.fromEntries([...runs].map(([k, v]) => [k, v.map(stripRaw)])),
    wrkOutput: Object.fromEntries([...best].map(([k, v]) => [k, v.raw])),
    configs,
  };
  writeFileSync(join(outDir, `${stamp}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(outDir, `${stamp}.md`), `${md}\n`);
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(outDir, 'latest.md'), `${md}\n`);
  process.stdout.write(`${md}\n`);
  log(`results: ${join(outDir, `${stamp}.md`)} and .json`);

  const failures = [...best.values()].filter((r) => r.error !== undefined);
  if (failures.length === 0 && !opts.keepTmp) rmSync(tmp, { recursive: true, force: true });
  else log(`temp dir kept: ${tmp}`);
}

/** Server configs seen in the run (first round), for the JSON. */
const configs = {};

function stripRaw(r) {
  if (r === undefined) return r;
  const { raw, ...rest } = r;
  void raw;
  return rest;
}

/** rr can serve HTTP once the http plugin is compiled into the binary. */
function rrAvailability() {
  const main = opts.rrMain;
  if (!existsSync(main)) return { ok: false, reason: `${main} is missing (pnpm turbo run build)` };
  const res = spawnSync(process.execPath, [main, '--version'], { encoding: 'utf8', timeout: 20_000 });
  const out = `${res.stdout}${res.stderr}`;
  const plugins = /plugins:\s*(.*)/.exec(out)?.[1] ?? '';
  if (!/\bhttp\b/.test(plugins)) return { ok: false, reason: `the rr binary has no http plugin yet (\`rr --version\`: "plugins: ${plugins.trim()}")` };
  return { ok: true, version: out.trim().split('\n')[0], plugins: plugins.trim() };
}

/**
 * Waits (at most --settle seconds) until the machine's CPU use over one second is below --quiet-pct:
 * other sessions' builds and tests share this machine. Returns what it saw.
 */
async function settle() {
  if (opts.settle <= 0) return undefined;
  const start = Date.now();
  for (;;) {
    const a = machineTicks();
    await new Promise((r) => setTimeout(r, 1000));
    const b = machineTicks();
    const busyPct = (100 * (b.busy - a.busy)) / (b.total - a.total);
    const waitedS = (Date.now() - start) / 1000;
    if (busyPct <= opts.quietPct) return { waitedS, busyPct, quiet: true };
    if (waitedS >= opts.settle) {
      log(`  machine still ${busyPct.toFixed(0)} % busy after ${waitedS.toFixed(0)} s; measuring anyway`);
      return { waitedS, busyPct, quiet: false };
    }
  }
}

/** /proc/stat: total and busy jiffies of the whole machine. */
function machineTicks() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line;
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

const ticksSum = (before, after) => {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
};

/** Warm-up + measured wrk run against one server, with RSS and CPU accounting. */
async function measureServer(app, server, ctx, firstRound) {
  const s = await startServer(server, app, ctx);
  configs[`${app}/${server}`] = s.config;
  try {
    const idle = s.pids();
    const frontIdleRssKb = sumRssKb(idle.front);
    const info = JSON.parse((await get(`${s.url}__bench/info`)).body);
    const hello = await get(s.url);
    if (hello.body !== 'Hello, World!') throw new Error(`unexpected answer: ${hello.status} ${hello.body.slice(0, 200)}`);
    if (firstRound && !firstRound.opcache.some((o) => o.server === server)) firstRound.opcache.push({ server, info });

    await runWrk({ url: s.url, threads: opts.threads, connections: opts.connections, durationS: opts.warmup });

    const p0 = s.pids();
    const c0front = cpuTicks(p0.front);
    const c0frontSys = cpuTicks(p0.front, true);
    const c0workers = cpuTicks(p0.workers);
    const m0 = machineTicks();
    const self0 = process.cpuUsage();
    // wrk's own CPU, sampled while it runs (its /proc entry is gone once it exited).
    let wrkTicks = 0;
    const wrkPromise = runWrk({ url: s.url, threads: opts.threads, connections: opts.connections, durationS: opts.duration });
    const sampler = setInterval(() => {
      for (const pid of childPidsNamed('wrk')) {
        const st = readStat(pid);
        if (st) wrkTicks = Math.max(wrkTicks, st.cpuTicks);
      }
    }, 200);
    const wrk = await wrkPromise.finally(() => clearInterval(sampler));
    const m1 = machineTicks();
    const p1 = s.pids();
    const cpu = {
      frontS: ticksSum(c0front, cpuTicks(p1.front)) / CLOCK_TICKS,
      frontSysS: ticksSum(c0frontSys, cpuTicks(p1.front, true)) / CLOCK_TICKS,
      workersS: ticksSum(c0workers, cpuTicks(p1.workers)) / CLOCK_TICKS,
    };
    const selfCpu = process.cpuUsage(self0);
    const busy = m1.busy - m0.busy;
    const total = m1.total - m0.total;
    const ours = (cpu.frontS + cpu.workersS) * CLOCK_TICKS + wrkTicks + ((selfCpu.user + selfCpu.system) / 1e6) * CLOCK_TICKS;
    const machine = { busyPct: (100 * busy) / total, otherPct: Math.max(0, (100 * (busy - ours)) / total), wrkCpuS: wrkTicks / CLOCK_TICKS };

    const frontMem = p1.front.map((pid) => readMem(pid)).filter(Boolean);
    const mem = {
      frontIdleRssKb,
      frontRssKb: sumRssKb(p1.front),
      workersRssKb: sumRssKb(p1.workers),
      frontHwmKb: frontMem.reduce((a, m) => a + m.hwmKb, 0),
      pids: p1,
    };

    if (app === 'bootstrap-heavy' && firstRound && !firstRound.bootSeen.some((b) => b.server === server)) {
      // fpm / php -S: every request boots, take the median of a few; rr: what the worker measured at its start.
      const samples = [];
      for (let i = 0; i < (server === 'rr' ? 1 : 7); i++) samples.push(JSON.parse((await get(`${s.url}__bench/info`)).body).boot);
      samples.sort((a, b) => a.cpu_us - b.cpu_us);
      const mid = samples[Math.floor(samples.length / 2)];
      firstRound.bootSeen.push({ server, cpuMs: mid.cpu_us / 1000, wallMs: mid.us / 1000, loadCpuMs: mid.load_cpu_us / 1000, samples });
    }
    const errorsDetail =
      wrk.errors > 0
        ? [
            wrk.non2xx ? `non-2xx ${wrk.non2xx}` : '',
            ...Object.entries(wrk.socketErrors)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${k} ${n}`),
          ]
            .filter(Boolean)
            .join(', ')
        : undefined;
    return { app, server, ...wrk, errorsDetail, cpu, machine, mem, load1: os.loadavg()[0] };
  } finally {
    await s.stop();
  }
}

function childPidsNamed(comm) {
  const out = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(Number(name));
    if (st && st.ppid === process.pid && st.comm === comm) out.push(st.pid);
  }
  return out;
}

/** pool-direct.mjs in its own node process, same app, concurrency, warm-up and duration. */
async function measurePool(app) {
  const proc = spawnTracked('pool-direct', process.execPath, [
    join(here, 'pool-direct.mjs'),
    '--json',
    '--app',
    app,
    '--connections',
    String(opts.connections),
    '--duration',
    String(opts.duration),
    '--warmup',
    String(opts.warmup),
    '--workers',
    String(opts.workers),
  ], { stdout: 'pipe' });
  let out = '';
  proc.child.stdout.setEncoding('utf8');
  proc.child.stdout.on('data', (d) => {
    out += d;
  });
  const m0 = machineTicks();
  const self0 = process.cpuUsage();
  // CPU of the pool-direct process and its workers over their lifetime, sampled while they run.
  const seen = new Map();
  const sampler = setInterval(() => {
    for (const pid of [proc.pid, ...childrenOf(proc.pid)]) {
      const st = readStat(pid);
      if (st) seen.set(pid, Math.max(seen.get(pid) ?? 0, st.cpuTicks));
    }
  }, 200);
  const guard = setTimeout(() => void stopTracked(proc, 5000), (opts.duration + opts.warmup + 60) * 1000);
  const { code } = await proc.exited;
  clearTimeout(guard);
  clearInterval(sampler);
  const m1 = machineTicks();
  const selfCpu = process.cpuUsage(self0);
  if (code !== 0) throw new Error(`pool-direct exited with ${code}`);
  let ours = ((selfCpu.user + selfCpu.system) / 1e6) * CLOCK_TICKS;
  for (const t of seen.values()) ours += t;
  const r = JSON.parse(out.trim().split('\n').at(-1));
  return {
    app,
    server: 'pool',
    rps: r.rps,
    requests: r.requests,
    seconds: r.seconds,
    latencyMs: r.latencyMs,
    errors: r.errors,
    mem: { frontIdleRssKb: r.rssKb.mainIdle, frontRssKb: r.rssKb.main, workersRssKb: r.rssKb.workers },
    cpu: undefined,
    mainCpuS: r.mainCpuS,
    machine: { busyPct: (100 * (m1.busy - m0.busy)) / (m1.total - m0.total), otherPct: Math.max(0, (100 * (m1.busy - m0.busy - ours)) / (m1.total - m0.total)) },
  };
}

/** rr under the same load with node --cpu-prof; summarises self time per function. */
async function profileRr(app, ctx, outDir, stamp) {
  const profDir = join(ctx.tmp, 'cpu-prof');
  mkdirSync(profDir, { recursive: true });
  const s = await startRr(app, ctx, { cpuProfDir: profDir });
  let wrk;
  try {
    await runWrk({ url: s.url, threads: opts.threads, connections: opts.connections, durationS: opts.warmup });
    wrk = await runWrk({ url: s.url, threads: opts.threads, connections: opts.connections, durationS: opts.duration });
  } finally {
    await s.stop();
  }
  const deadline = Date.now() + 10_000;
  let file;
  while (Date.now() < deadline) {
    file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!file) throw new Error(`no .cpuprofile written in ${profDir} (rr did not exit cleanly?)`);
  const dest = join(outDir, `${stamp}-rr-${app}.cpuprofile`);
  copyFileSync(join(profDir, file), dest);
  return { app, file: dest, rps: wrk.rps, summary: summarizeProfile(dest, repo, 25) };
}

function machineMeta() {
  const v = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0];
  };
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    php: v(PHP, ['-r', 'echo PHP_VERSION;']),
    nginx: v(NGINX, ['-v']).replace('nginx version: ', ''),
    wrk: v('/usr/bin/wrk', ['--version']).split(' [')[0],
  };
}

function parseArgs(argv) {
  const o = {
    duration: 10,
    connections: 32,
    threads: 2,
    warmup: 2,
    only: [],
    rounds: 1,
    workers: 2,
    nginxWorkers: '1',
    bootMs: 17,
    calibrate: true,
    settle: 30,
    quietPct: 15,
    profile: 'auto',
    build: false,
    keepTmp: false,
    rrMain: join(repo, 'apps/rr/dist/main.js'),
    out: join(here, 'results'),
  };
  const num = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} needs a number ≥ ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = argv[i].split('=', 2);
    const next = () => value ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        process.exit(0);
        break;
      case '--duration':
        o.duration = num('duration', next(), 1);
        break;
      case '--connections':
        o.connections = num('connections', next(), 1);
        break;
      case '--threads':
        o.threads = num('threads', next(), 1);
        break;
      case '--warmup':
        o.warmup = num('warmup', next(), 0);
        break;
      case '--only':
        o.only.push(...String(next()).split(',').map((s) => s.trim()).filter(Boolean));
        break;
      case '--rounds':
        o.rounds = num('rounds', next(), 1);
        break;
      case '--workers':
        o.workers = num('workers', next(), 1);
        break;
      case '--nginx-workers':
        o.nginxWorkers = String(next());
        if (o.nginxWorkers !== 'auto') num('nginx-workers', o.nginxWorkers, 1);
        break;
      case '--boot-ms':
        o.bootMs = num('boot-ms', next(), 1);
        break;
      case '--no-calibrate':
        o.calibrate = false;
        break;
      case '--settle':
        o.settle = num('settle', next(), 0);
        break;
      case '--quiet-pct':
        o.quietPct = num('quiet-pct', next(), 0);
        break;
      case '--profile':
        o.profile = String(next());
        if (!['auto', 'always', 'never'].includes(o.profile)) throw new Error('--profile: auto, always or never');
        break;
      case '--no-profile':
        o.profile = 'never';
        break;
      case '--build':
        o.build = true;
        break;
      case '--keep-tmp':
        o.keepTmp = true;
        break;
      case '--rr-main':
        o.rrMain = String(next());
        break;
      case '--out':
        o.out = String(next());
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (see --help)`);
    }
  }
  if (o.threads > o.connections) o.threads = o.connections;
  return o;
}

main()
  .catch(async (err) => {
    process.stderr.write(`[bench] error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
  });
