#!/usr/bin/env node
/* global process, console, setTimeout, clearTimeout, performance */
// Boot benchmark: how long a trimmed distribution (logs + server + http, built by rr-build), the full
// default distribution bundled from apps/rr/rr-build.yaml, and the unbundled apps/rr/dist/main.js take from
// spawn to the ready summary line, on the same config (http with one PHP worker). See bench/README.md.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { childrenOf, isAlive, readMem } from './lib/procs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    lite: { type: 'string' },
    full: { type: 'string' },
    'rr-main': { type: 'string', default: join(root, 'apps/rr/dist/main.js') },
    'rr-build': { type: 'string', default: join(root, 'apps/build/dist/main.js') },
    out: { type: 'string', default: join(here, 'results') },
    'keep-tmp': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('node bench/boot.mjs [--runs 10] [--lite <bundle.mjs>] [--full <bundle.mjs>] [--rr-main apps/rr/dist/main.js] [--keep-tmp]');
  process.exit(0);
}
for (const file of [opts['rr-main'], ...(opts.lite && opts.full ? [] : [opts['rr-build']])]) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: build first (pnpm turbo run build)`);
    process.exit(1);
  }
}

const runs = Number(opts.runs);
const run = promisify(execFile);
const log = (line) => process.stderr.write(`boot: ${line}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const dir = mkdtempSync(join(tmpdir(), 'rr-bench-boot-'));

/** Every rr this bench started and has not seen exit: stopped on exit and on Ctrl-C, by pid. */
const live = new Set();
function killLive() {
  for (const child of live) {
    for (const pid of childrenOf(child.pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
process.on('exit', killLive);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killLive();
    if (!opts['keep-tmp']) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
}

// ── the two bundles (built here unless given) ─────────────────────────────────────────────────
async function buildDist(args) {
  const { stdout } = await run(process.execPath, [opts['rr-build'], 'build', '--json', ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

const sizeOf = (artifact) => {
  const report = join(dirname(artifact), 'build-report.json');
  return existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
};

let lite = opts.lite;
let full = opts.full;
if (lite === undefined || full === undefined) {
  log('building the trimmed and the full distribution with rr-build');
  writeFileSync(join(dir, 'rr-build.yaml'), 'name: rr-lite\nversion: 1.0.0\nplugins:\n  - "@rr/plugin-logs"\n  - "@rr/plugin-server"\n  - "@rr/plugin-http"\n');
  const [l, f] = await Promise.all([
    lite ?? buildDist(['-c', join(dir, 'rr-build.yaml'), '--from', join(root, 'apps/rr'), '-o', join(dir, 'lite')]).then((r) => r.artifact),
    full ?? buildDist(['-c', join(root, 'apps/rr/rr-build.yaml'), '-o', join(dir, 'full')]).then((r) => r.artifact),
  ]);
  lite = l;
  full = f;
}

const targets = [
  { key: 'lite', label: 'trimmed bundle (logs, server, http)', bin: lite, report: sizeOf(lite) },
  { key: 'full', label: 'full bundle (apps/rr/rr-build.yaml)', bin: full, report: sizeOf(full) },
  { key: 'main', label: 'apps/rr/dist/main.js (unbundled)', bin: opts['rr-main'], report: undefined },
];

// ── the config: http with one PHP worker, nothing else ───────────────────────────────────────────
writeFileSync(
  join(dir, '.rr.yaml'),
  `version: "3"
server:
  command: "php ${join(root, 'php-sdk/examples/http-worker.php')}"
http:
  address: 127.0.0.1:0
  pool:
    num_workers: 1
logs:
  mode: production
  level: error
`,
);

/** `<bin> --version`: loading the code and printing, no config, no PHP. */
async function versionMs(bin) {
  const t0 = performance.now();
  await run(bin, ['--version']);
  return performance.now() - t0;
}

/** Spawn → the "N plugin(s) enabled" line on stderr; then RSS, then a graceful stop. */
function bootOnce(bin) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Run as a user would: through the file's shebang (each keeps its own node flags).
    const child = spawn(bin, ['serve', '-c', join(dir, '.rr.yaml')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    live.add(child);
    let err = '';
    let ready;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stderr.setEncoding('utf8').on('data', (d) => {
      err += d;
      if (ready === undefined && err.includes('plugin(s) enabled')) {
        ready = performance.now() - t0;
        const rssKb = readMem(child.pid)?.rssKb ?? 0;
        const workers = childrenOf(child.pid);
        child.kill('SIGTERM');
        // Resolved once it is gone, so one boot never overlaps the next one's.
        child.once('exit', () => {
          // rr stops its workers; anything left (a crash) is killed by pid.
          for (const pid of workers.filter(isAlive)) process.kill(pid, 'SIGKILL');
          resolve({ ms: ready, rssKb });
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      live.delete(child);
      if (ready === undefined) reject(new Error(`${bin} exited ${code} before it was ready:\n${err}`));
    });
  });
}

const results = new Map(targets.map((t) => [t.key, { boot: [], rss: [], version: [] }]));
log(`${runs} round(s), the three targets interleaved (rotated each round), load average ${loadavg()[0].toFixed(2)}`);
for (let round = 0; round < runs; round += 1) {
  const order = targets.map((_, i) => targets[(i + round) % targets.length]);
  for (const t of order) {
    const r = results.get(t.key);
    r.version.push(await versionMs(t.bin));
    const b = await bootOnce(t.bin);
    r.boot.push(b.ms);
    r.rss.push(b.rssKb);
    // Let the stopped one's worker finish exiting before the next boot.
    await new Promise((res) => setTimeout(res, 100));
  }
  log(`round ${round + 1}/${runs} done`);
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
const fmt = (xs) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
const lines = [
  `# rr boot times (${new Date().toISOString()}, node ${process.versions.node}, ${runs} runs, load average ${loadavg()[0].toFixed(2)})`,
  '',
  'Spawn → the ready summary line, on http with one PHP worker (`--version`: loading the code only). Median (min–max) in ms.',
  '',
  '| target | size on disk | bundled packages | --version ms | boot to ready ms | RSS at ready |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const t of targets) {
  const r = results.get(t.key);
  const size = t.report ? `${mb(t.report.totalBytes)}${t.report.assets ? ` (incl. ${(t.report.assets.bytes / 1024).toFixed(0)} KB assets)` : ''}` : 'n/a (dist + node_modules)';
  lines.push(`| ${t.label} | ${size} | ${t.report?.bundledPackageCount ?? 'n/a'} | ${fmt(r.version)} | ${fmt(r.boot)} | ${(median(r.rss) / 1024).toFixed(0)} MB |`);
}
const liteBoot = median(results.get('lite').boot);
const fullBoot = median(results.get('full').boot);
const mainBoot = median(results.get('main').boot);
lines.push('', `Trimmed vs full bundle: ${((100 * liteBoot) / fullBoot).toFixed(0)} % of the boot time; trimmed vs unbundled: ${((100 * liteBoot) / mainBoot).toFixed(0)} %.`);
const md = `${lines.join('\n')}\n`;
process.stdout.write(md);
mkdirSync(opts.out, { recursive: true });
writeFileSync(join(opts.out, 'boot-latest.md'), md);
writeFileSync(join(opts.out, 'boot-latest.json'), `${JSON.stringify({ runs, targets: targets.map((t) => ({ ...t, report: t.report && { totalBytes: t.report.totalBytes, bytes: t.report.bytes, bundledPackageCount: t.report.bundledPackageCount }, ...results.get(t.key) })) }, null, 2)}\n`);
if (opts['keep-tmp']) log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
