import type { RpcEndpoint } from '@rr/contracts';
import { RrError, type Plugin } from '@rr/kernel';
import { endpointsProbe, startTestKernel, type TestKernel } from '@rr/testkit';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobsPlugin, jobsProto } from '../../src/index.js';
import { newWorld, testDriverPlugin, type World } from './driver.js';
import { php, testServerPlugin } from './server-plugin.js';

const CODEC_PROTO = 0x80;

/** One delivery as the PHP fixture logged it. */
export interface Seen {
  id: string;
  job: string;
  driver: string;
  pipeline: string;
  queue: string | null;
  headers: Record<string, string[]>;
  body: string;
  keys: string[];
  pid: number;
  /** Unix time in seconds (float). */
  at: number;
}

export interface Jobs {
  t: TestKernel;
  world: World;
  call(method: string, body?: Buffer): Promise<Buffer>;
  /** Pushes one job; `cmd` becomes the JSON payload the fixture obeys. Returns the id. */
  push(pipeline: string, cmd?: Record<string, unknown>, options?: { id?: string; priority?: number; delay?: number; autoAck?: boolean; headers?: Record<string, string[]>; job?: string }): Promise<string>;
  /** Every delivery the PHP workers logged so far. */
  seen(): Seen[];
  /** Waits until `count` deliveries match `filter`. */
  waitSeen(count: number, filter?: (s: Seen) => boolean, timeoutMs?: number): Promise<Seen[]>;
  /** Stops the kernel; the log of deliveries stays readable. */
  stop(): Promise<void>;
  /** Stops (if needed) and removes the temp dir. */
  dispose(): Promise<void>;
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Boots logs fake + test server (real PHP pool) + test driver + jobs, with the jobs endpoint at hand. */
export async function startJobs(jobs: Record<string, unknown>, options: { world?: World; stopTimeoutMs?: number; extraPlugins?: readonly Plugin[] } = {}): Promise<Jobs> {
  const dir = mkdtempSync(join(tmpdir(), 'rr-jobs-'));
  const logFile = join(dir, 'seen.jsonl');
  const world = options.world ?? newWorld();
  const probe = endpointsProbe();
  const t = await startTestKernel({
    plugins: [testServerPlugin(php('jobs-worker.php'), { JOBS_LOG: logFile }), testDriverPlugin(world), jobsPlugin, probe.plugin, ...(options.extraPlugins ?? [])],
    config: { jobs: { pool: { num_workers: 1, allocate_timeout: '10s', destroy_timeout: '2s' }, ...jobs } },
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  });
  const endpoint = probe.endpoints().find((e) => e.namespace === 'jobs') as RpcEndpoint;
  const call = async (method: string, body: Buffer = Buffer.alloc(0)): Promise<Buffer> =>
    (await endpoint.methods[method]?.({ method: `jobs.${method}`, body, codec: CODEC_PROTO })) as Buffer;
  const seen = (): Seen[] => {
    let text: string;
    try {
      text = readFileSync(logFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Seen);
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await t.stop();
  };
  return {
    t,
    world,
    call,
    seen,
    async push(pipeline, cmd = {}, o = {}) {
      const id = o.id ?? randomUUID();
      const headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k, { value: v }]));
      await call(
        'Push',
        jobsProto.encodePush({
          job: o.job ?? 'App\\Job',
          id,
          payload: Buffer.from(JSON.stringify(cmd)),
          headers,
          options: { pipeline, priority: o.priority ?? 0, delay: o.delay ?? 0, auto_ack: o.autoAck ?? false },
        }),
      );
      return id;
    },
    async waitSeen(count, filter = () => true, timeoutMs = 10_000) {
      await until(() => seen().filter(filter).length >= count, timeoutMs, `${count} deliveries`);
      return seen().filter(filter);
    },
    stop,
    async dispose() {
      try {
        await stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The error a start attempt failed with. */
export async function startFailure(jobs: Record<string, unknown>): Promise<RrError> {
  const world = newWorld();
  const outcome = await startTestKernel({
    plugins: [testServerPlugin(['php', '-r', 'exit(1);']), testDriverPlugin(world), jobsPlugin],
    config: { jobs },
  }).then(
    async (t) => {
      await t.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(outcome instanceof RrError)) throw new Error(`expected a start failure, got ${String(outcome)}`);
  return outcome;
}
