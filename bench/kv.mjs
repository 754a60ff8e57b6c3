#!/usr/bin/env node
/* global process, console, setTimeout */
// kv benchmark: kv.Set / kv.Get ops/s from PHP over rr's RPC against the memory and redis drivers,
// with phpredis straight to the same Redis as the peer, side by side in one run. See bench/README.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, waitForPort } from './lib/net.mjs';
import { spawnTracked, stopTracked } from './lib/procs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    clients: { type: 'string', default: '1,4' },
    size: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    redis: { type: 'string', default: '127.0.0.1:6379' },
    'rr-main': { type: 'string', default: join(root, 'apps/rr/dist/main.js') },
    out: { type: 'string', default: join(here, 'results') },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('node bench/kv.mjs [--duration 5] [--clients 1,4] [--size 64] [--rounds 3] [--redis 127.0.0.1:6379]');
  process.exit(0);
}
if (!existsSync(opts['rr-main'])) {
  console.error(`${opts['rr-main']} is missing: build first (pnpm turbo run build)`);
  process.exit(1);
}

const client = join(here, 'apps/kv/kv-bench.php');
const duration = Number(opts.duration);
const clients = opts.clients.split(',').map(Number);
const rounds = Number(opts.rounds);
const run = Date.now().toString(36);

/** Waits until a TCP port accepts connections (rr's RPC listener is the readiness probe). */
/** Runs `n` client processes at once; resolves the summed ops/s. */
async function measure(n, args) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => {
      return new Promise((resolve, reject) => {
        const child = spawn('php', [client, ...args.slice(0, 6), `${args[6]}${i}:`], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`php client exited ${code}: ${err}${out}`))));
      });
    }),
  );
  return results.reduce((sum, r) => sum + r.ops / r.seconds, 0);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const dir = mkdtempSync(join(tmpdir(), 'rr-bench-kv-'));
const rpcPort = await freePort();
const prefix = `rr-bench-kv-${run}:`;
writeFileSync(
  join(dir, '.rr.yaml'),
  `version: "3"
rpc:
  listen: tcp://127.0.0.1:${rpcPort}
kv:
  mem:
    driver: memory
  red:
    driver: redis
    config:
      addrs: ["${opts.redis}"]
      prefix: "${prefix}"
logs:
  mode: production
  level: warn
`,
);
const rr = spawnTracked('rr', process.execPath, ['--max-semi-space-size=4', opts['rr-main'], 'serve', '-c', join(dir, '.rr.yaml')], {
  cwd: dir,
  logFile: join(dir, 'rr.log'),
});
const rows = [];
try {
  await waitForPort(rpcPort);
  const address = `tcp://127.0.0.1:${rpcPort}`;
  const targets = [
    { name: 'rr kv memory', args: (op) => ['rr', address, 'mem', op, duration, opts.size, 'k'] },
    { name: 'rr kv redis', args: (op) => ['rr', address, 'red', op, duration, opts.size, 'k'] },
    { name: 'phpredis direct (peer)', args: (op) => ['phpredis', opts.redis, '-', op, duration, opts.size, `${prefix}direct`] },
  ];
  const hasPhpRedis = await new Promise((resolve) => {
    const c = spawn('php', ['-r', 'exit(extension_loaded("redis") ? 0 : 1);']);
    c.once('exit', (code) => resolve(code === 0));
  });
  for (const n of clients) {
    for (const op of ['set', 'get']) {
      for (const target of targets) {
        if (target.name.startsWith('phpredis') && !hasPhpRedis) continue;
        const samples = [];
        for (let r = 0; r < rounds; r++) samples.push(await measure(n, target.args(op)));
        const opsPerSec = median(samples);
        rows.push({ clients: n, op, target: target.name, opsPerSec, usPerOp: (1e6 * n) / opsPerSec });
        console.error(`${n} client(s) ${op} ${target.name}: ${Math.round(opsPerSec)} ops/s`);
      }
    }
  }
  if (!hasPhpRedis) console.error('phpredis is not loaded (apt-get install php-redis): the peer column is skipped');
} finally {
  // The redis storage has a prefix, so Clear removes only this run's keys; the peer's keys go by the same prefix.
  await new Promise((resolve) => {
    const c = spawn('php', [join(root, 'php-sdk/examples/kv-client.php'), 'red', 'clear'], { env: { ...process.env, RR_RPC: `tcp://127.0.0.1:${rpcPort}` } });
    c.once('exit', resolve);
  });
  await stopTracked(rr);
  rmSync(dir, { recursive: true, force: true });
}

const lines = [
  `# kv bench — ${new Date().toISOString()}`,
  '',
  `PHP clients each loop one operation for ${duration} s on 1 000 keys with ${opts.size}-byte values; median of ${rounds} rounds; summed over clients.`,
  '',
  '| clients | op | target | ops/s | µs per op (per client) |',
  '| ---: | --- | --- | ---: | ---: |',
  ...rows.map((r) => `| ${r.clients} | ${r.op} | ${r.target} | ${Math.round(r.opsPerSec)} | ${r.usPerOp.toFixed(1)} |`),
  '',
];
for (const n of clients) {
  for (const op of ['set', 'get']) {
    const rrRedis = rows.find((r) => r.clients === n && r.op === op && r.target === 'rr kv redis');
    const peer = rows.find((r) => r.clients === n && r.op === op && r.target.startsWith('phpredis'));
    if (rrRedis && peer) lines.push(`- ${n} client(s) ${op}: rr kv redis / phpredis direct = ${(rrRedis.opsPerSec / peer.opsPerSec).toFixed(2)}×`);
  }
}
const md = `${lines.join('\n')}\n`;
mkdirSync(opts.out, { recursive: true });
writeFileSync(join(opts.out, `kv-latest.md`), md);
console.log(md);
