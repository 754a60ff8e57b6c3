#!/usr/bin/env node
/* global process, console, setTimeout */
// jobs benchmark: jobs/s pushed (PHP → rr over RPC) and consumed end to end (driver → rr → PHP
// consumers → ack) per driver, in one run. See bench/README.md.
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
    count: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '100' },
    bytes: { type: 'string', default: '256' },
    workers: { type: 'string', default: '2' },
    drivers: { type: 'string', default: 'memory,boltdb,amqp,redis,nats' },
    'rr-main': { type: 'string', default: join(root, 'apps/rr/dist/main.js') },
    out: { type: 'string', default: join(here, 'results') },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('node bench/jobs.mjs [--count 5000] [--batch 100] [--bytes 256] [--workers 2] [--drivers memory,boltdb,amqp,redis,nats]');
  process.exit(0);
}
if (!existsSync(opts['rr-main'])) {
  console.error(`${opts['rr-main']} is missing: build first (pnpm turbo run build)`);
  process.exit(1);
}

const run = Date.now().toString(36);
const dir = mkdtempSync(join(tmpdir(), 'rr-bench-jobs-'));
/** Each driver's pipeline `config:` lines: unique broker names per run, removed by jobs.Destroy at the end. */
const PIPELINES = {
  memory: () => '',
  boltdb: () => `        file: ${join(dir, 'jobs.db')}\n`,
  amqp: (name) => `        queue: rr-bench-${name}\n        exchange: rr-bench-${name}\n        routing_key: ${name}\n        delete_queue_on_stop: true\n        prefetch: 100\n`,
  redis: (name) => `        stream: rr-bench-${name}\n        delete_stream_on_stop: true\n        prefetch: 100\n`,
  nats: (name) => `        subject: rr-bench-${name}\n        stream: rr-bench-${name}\n        delete_stream_on_stop: true\n        prefetch: 100\n`,
};
const drivers = opts.drivers.split(',').filter((d) => d in PIPELINES);

function php(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('php', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`php ${args.join(' ')} exited ${code}: ${err}${out}`))));
  });
}

const address = (port) => `tcp://127.0.0.1:${port}`;
// Progress is read over rr's RPC from here (informer.Jobs, JSON): spawning PHP to poll would compete
// with the consumers for the two cores.
const { RpcClient } = await import(join(root, 'packages/goridge/dist/index.js'));

const rows = [];
const rpcPort = await freePort();
const names = Object.fromEntries(drivers.map((d) => [d, `${d}${run}`]));
writeFileSync(
  join(dir, '.rr.yaml'),
  `version: "3"
server:
  command: "php ${join(here, 'apps/jobs/consumer.php')}"
rpc:
  listen: ${address(rpcPort)}
jobs:
  consume: []
  pool:
    num_workers: ${opts.workers}
  pipelines:
${drivers.map((d) => `    ${names[d]}:\n      driver: ${d}\n${PIPELINES[d](names[d]) === '' ? '' : `      config:\n${PIPELINES[d](names[d])}`}`).join('')}
logs:
  mode: production
  level: warn
`,
);
process.env.RR_RPC = address(rpcPort);
const rr = spawnTracked('rr', process.execPath, ['--max-semi-space-size=4', opts['rr-main'], 'serve', '-c', join(dir, '.rr.yaml')], { cwd: dir, logFile: join(dir, 'rr.log') });
try {
  await waitForPort(rpcPort);
  const client = await RpcClient.connect(address(rpcPort));
  const stat = async () => ((await client.call('informer.Jobs', 'jobs')) ?? []).map((p) => ({ pipeline: p.Pipeline, active: p.Active, reserved: p.Reserved, delayed: p.Delayed }));
  for (const driver of drivers) {
    const name = names[driver];
    // Pushed while paused, so the push rate is the producer path alone; then consumed from a full queue.
    const pushed = JSON.parse(await php([join(here, 'apps/jobs/push.php'), address(rpcPort), name, opts.count, opts.batch, opts.bytes]));
    const started = Date.now();
    await php([join(root, 'php-sdk/examples/jobs-push.php'), 'resume', name]);
    for (;;) {
      const s = (await stat()).find((p) => p.pipeline === name);
      if (s !== undefined && s.active === 0 && s.reserved === 0 && s.delayed === 0) break;
      if (Date.now() - started > 300_000) throw new Error(`${driver}: not drained within 300 s: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const consumedSeconds = (Date.now() - started) / 1000;
    rows.push({ driver, pushPerSec: pushed.pushed / pushed.seconds, consumePerSec: Number(opts.count) / consumedSeconds });
    console.error(`${driver}: push ${Math.round(pushed.pushed / pushed.seconds)}/s, consume ${Math.round(Number(opts.count) / consumedSeconds)}/s`);
  }
  await client.close();
} finally {
  await php([join(root, 'php-sdk/examples/jobs-push.php'), 'destroy', ...Object.values(names)]).catch(() => undefined);
  await stopTracked(rr);
  rmSync(dir, { recursive: true, force: true });
}

const md = [
  `# jobs bench — ${new Date().toISOString()}`,
  '',
  `${opts.count} jobs of ${opts.bytes} bytes per driver, pushed from one PHP process with jobs.PushBatch of ${opts.batch} (while the pipeline is paused), then consumed by ${opts.workers} PHP workers that ack at once; consumed = resume until the driver reports nothing active, reserved or delayed (informer.Jobs polled every 20 ms).`,
  '',
  '| driver | pushed jobs/s | consumed jobs/s (end to end) |',
  '| --- | ---: | ---: |',
  ...rows.map((r) => `| ${r.driver} | ${Math.round(r.pushPerSec)} | ${Math.round(r.consumePerSec)} |`),
  '',
].join('\n');
mkdirSync(opts.out, { recursive: true });
writeFileSync(join(opts.out, 'jobs-latest.md'), md);
console.log(md);
