import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { php, phpSdk, repoRoot } from '../../helpers/paths.js';
import { minimalHttpConfig, startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';

// Issue 7: a trimmed distribution (logs + server + http) built by rr-build from a list builds, starts,
// serves PHP, and is smaller than the full default distribution built from apps/rr/rr-build.yaml.
const rrBuild = join(repoRoot, 'apps/build/dist/main.js');
const rrApp = join(repoRoot, 'apps/rr');

/** The parts of build-report.json the tests read. */
interface Report {
  artifact: string;
  metafile: string;
  bytes: number;
  totalBytes: number;
  plugins: { id: string; package: string }[];
  smoke: { ok: boolean; plugins?: string[] };
  heavy: { included: string[]; omitted: string[] };
}

let tmp: string;
let lite: Report;
let full: Report;

async function build(args: string[]): Promise<Report> {
  const r = await run(process.execPath, [rrBuild, 'build', '--json', ...args], { timeoutMs: 110_000 });
  if (r.code !== 0) throw new Error(`rr-build ${args.join(' ')} exited ${String(r.code)}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

beforeAll(async () => {
  if (!existsSync(rrBuild)) throw new Error(`${rrBuild} is missing: pnpm --filter @rr/build build`);
  tmp = mkdtempSync(join(tmpdir(), 'rr-e2e-build-'));
  writeFileSync(join(tmp, 'rr-build.yaml'), 'name: rr-lite\nversion: 1.0.0\nkernel: ^1.0.0\nplugins:\n  - "@rr/plugin-logs"\n  - "@rr/plugin-server"\n  - "@rr/plugin-http"\n');
  // Both at once: each is mostly esbuild, which runs in its own process.
  [lite, full] = await Promise.all([
    build(['-c', join(tmp, 'rr-build.yaml'), '--from', rrApp, '-o', join(tmp, 'lite')]),
    build(['-c', join(rrApp, 'rr-build.yaml'), '-o', join(tmp, 'full')]),
  ]);
}, 120_000);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe('rr-build: a trimmed distribution next to the full default one', () => {
  it('the trimmed one lists exactly logs, server, http', async () => {
    expect(lite.smoke).toEqual(expect.objectContaining({ ok: true, plugins: ['logs', 'server', 'http'] }));
    const r = await run(lite.artifact, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rr-lite version 1\.0\.0 \(kernel /);
    expect(r.stdout.split('\n')[1]).toBe('plugins: logs, server, http');
  });

  it('the trimmed bundle carries none of the heavy dependencies of the plugins it left out', () => {
    const inputs = Object.keys((JSON.parse(readFileSync(lite.metafile, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
    expect(inputs.length).toBeGreaterThan(50);
    for (const dep of ['@grpc/grpc-js', '@grpc/proto-loader', '@grpc/reflection', 'grpc-health-check', 'amqplib', '@nats-io/', 'ioredis', 'prom-client', '@opentelemetry/']) {
      expect(inputs.filter((i) => i.includes(`/node_modules/${dep}`)), dep).toEqual([]);
    }
    expect(inputs.filter((i) => /\/plugins\/(grpc|jobs|kv|amqp|nats|redis|metrics|service)\//.test(i))).toEqual([]);
    // protobufjs is still inside: the runtime's `rr jobs` command encodes its RPC payloads with it.
    expect(lite.heavy.omitted).toEqual(expect.arrayContaining(['@grpc/grpc-js', 'amqplib', 'ioredis', 'prom-client', '@nats-io/transport-node']));
  });

  it('the trimmed one is smaller than the full one, which lists every plugin of apps/rr/rr-build.yaml', () => {
    expect(full.smoke.ok).toBe(true);
    expect(full.plugins.map((p) => p.id)).toEqual(full.smoke.plugins);
    expect(full.plugins.length).toBeGreaterThanOrEqual(24);
    expect(lite.bytes).toBeLessThan(full.bytes);
    expect(lite.totalBytes).toBeLessThan(full.totalBytes * 0.75);
    console.info(`rr-build sizes: trimmed ${lite.totalBytes} bytes, full ${full.totalBytes} bytes (${((100 * lite.totalBytes) / full.totalBytes).toFixed(0)} %)`);
  });

  it('the trimmed one starts and serves PHP', async () => {
    const rr: RrProcess = await startRr({ bin: lite.artifact, config: minimalHttpConfig(`${phpSdk}/examples/http-worker.php`) });
    try {
      expect(rr.text.find((l) => l.includes('plugin(s) enabled'))).toBe('rr: 3 plugin(s) enabled: logs, server, http');
      const res = await fetch(`${rr.httpUrl}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('hello');
    } finally {
      expect(await rr.stop()).toBe(0);
    }
  });

  it('the full bundle serves HTTP and gRPC (its .proto-loading dependencies read from the copied assets)', async () => {
    const proto = `${phpSdk}/examples/grpc/echo.proto`;
    const rr = await startRr({
      bin: full.artifact,
      config: minimalHttpConfig(`${phpSdk}/examples/http-worker.php`, `grpc:\n  listen: tcp://127.0.0.1:0\n  proto: ["${proto}"]\n  pool:\n    command: "${php} ${phpSdk}/examples/grpc-worker.php"\n    num_workers: 1\n`),
    });
    const clients: grpc.Client[] = [];
    try {
      expect(await (await fetch(`${rr.httpUrl}/`)).text()).toBe('hello');
      const line = await rr.waitForLog((l) => l.msg === 'grpc server listening');
      const address = String(line.address).replace(/^tcp:\/\//, '');
      const Echo = (grpc.loadPackageDefinition(protoLoader.loadSync(proto, { keepCase: true })).test as grpc.GrpcObject).Echo as grpc.ServiceClientConstructor;
      const echo = new Echo(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Say(req: { text: string }, cb: (err: grpc.ServiceError | null, res?: { text: string }) => void): void };
      clients.push(echo);
      const reply = await new Promise<{ text: string } | undefined>((resolve, reject) => echo.Say({ text: 'bundle' }, (err, res) => (err ? reject(err) : resolve(res))));
      expect(reply?.text).toBe('hello bundle');
      // grpc-health-check loads health.proto from next to its code at import: served from <name>.assets/.
      const health = new grpc.Client(address, grpc.credentials.createInsecure());
      clients.push(health);
      const status = await new Promise<Buffer>((resolve, reject) =>
        health.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x09, ...Buffer.from('test.Echo')]), (err, res) => (err ? reject(err) : resolve(res as Buffer))),
      );
      expect([...status]).toEqual([0x08, 0x01]); // HealthCheckResponse { status: SERVING }
    } finally {
      for (const c of clients) c.close();
      await rr.stop();
    }
  });
});
