import { RpcClient } from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { load } from '../../helpers/load.js';
import { phpSdk, repoRoot, rrBin } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';

// rr's promises under faults, measured against the built binary with real PHP workers.
const worker = `${repoRoot}/e2e/workers/faults.php`;
const env = { RR_PHP_SDK: phpSdk };
let rr: RrProcess | undefined;

afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});

async function workerPids(proc: RrProcess): Promise<number[]> {
  const client = await RpcClient.connect(proc.rpcAddress ?? '');
  try {
    const { workers } = await client.call<{ workers: { pid: number; statusStr: string }[] }>('informer.Workers', 'http');
    return workers.map((w) => w.pid);
  } finally {
    await client.close();
  }
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('http under faults (built rr, real PHP workers)', () => {
  it('kill -9 of workers under load fails only requests that had reached the killed worker', async () => {
    rr = await startRr({ config: httpConfig(worker), env });
    const url = `${rr.httpUrl}/sleep?ms=20`;
    let kills = 0;
    const killer = (async () => {
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const pids = await workerPids(rr as RrProcess);
        const victim = pids[i % pids.length];
        if (victim !== undefined) {
          process.kill(victim, 'SIGKILL');
          kills += 1;
        }
      }
    })();
    const result = await load({ url, total: 400, concurrency: 8 });
    await killer;
    console.info(`kill -9 under load: sent ${result.sent}, failed ${result.failures.length}, workers killed ${kills}`);
    expect(kills).toBe(4);
    expect(result.sent).toBe(400);
    // A worker handles one request at a time, so each kill can fail at most the one request it held.
    expect(result.failures.length).toBeLessThanOrEqual(kills);
    for (const f of result.failures) expect(f.status).toBe(500);
    const after = await load({ url: `${rr.httpUrl}/pid`, total: 20, concurrency: 2 });
    expect(after.failures).toEqual([]);
  });

  it('rr reset under load fails no request and replaces every worker', async () => {
    const rpcPort = await freePort();
    rr = await startRr({ config: httpConfig(worker, { rpcPort }), env });
    const before = await workerPids(rr);
    const reset = run(rrBin, ['reset', '-c', `${rr.dir}/.rr.yaml`], { cwd: rr.dir });
    const result = await load({ url: `${rr.httpUrl}/sleep?ms=5`, total: 100_000, concurrency: 8, until: reset });
    const done = await reset;
    console.info(`rr reset under load: sent ${result.sent}, failed ${result.failures.length}`);
    expect(done.stdout).toContain('reset http: done');
    expect(done.code).toBe(0);
    expect(result.failures).toEqual([]);
    expect(result.sent).toBeGreaterThan(10);
    const after = await workerPids(rr);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
  });

  it('exec_ttl kills a runaway request and the pool carries on', async () => {
    rr = await startRr({ config: httpConfig(worker, { pool: '    supervisor:\n      exec_ttl: 1s\n      watch_tick: 100ms' }), env });
    const started = Date.now();
    const res = await fetch(`${rr.httpUrl}/sleep?ms=10000`);
    expect(res.status).toBe(500);
    expect(Date.now() - started).toBeLessThan(5_000);
    await rr.waitForLog((l) => JSON.stringify(l).includes('RR_ERR_POOL_EXEC_TTL'));
    const ok = await fetch(`${rr.httpUrl}/pid`);
    expect(ok.status).toBe(200);
  });

  it('max_worker_memory retires a worker only after its request', async () => {
    rr = await startRr({
      config: httpConfig(worker, { pool: '    supervisor:\n      max_worker_memory: 40\n      watch_tick: 100ms' }).replace('num_workers: 2', 'num_workers: 1'),
      env,
    });
    // Over the limit for ~8 supervisor ticks while still busy: a soft limit must not kill it.
    const fat = await fetch(`${rr.httpUrl}/alloc?mb=80&ms=800`);
    expect(fat.status).toBe(200);
    const fatPid = Number(await fat.text());
    // The supervisor notices the RSS at its next tick and retires the idle worker; a new one serves.
    const newPid = await waitFor(async () => {
      const res = await fetch(`${rr?.httpUrl}/pid`);
      expect(res.status).toBe(200);
      const pid = Number(await res.text());
      return pid !== fatPid ? pid : undefined;
    });
    expect(newPid).not.toBe(fatPid);
  });

  it('a worker that writes to stdout is diagnosed with the offending bytes and replaced', async () => {
    rr = await startRr({ config: httpConfig(worker).replace('num_workers: 2', 'num_workers: 1'), env });
    const first = Number(await (await fetch(`${rr.httpUrl}/pid`)).text());
    await fetch(`${rr.httpUrl}/stdout`);
    const line = await rr.waitForLog((l) => JSON.stringify(l).includes('STRAY-OUTPUT-FROM-PHP'));
    expect(line.level).toBe('error');
    const next = await waitFor(async () => {
      const res = await fetch(`${rr?.httpUrl}/pid`);
      const pid = Number(await res.text());
      return res.ok && pid !== first ? pid : undefined;
    });
    expect(next).not.toBe(first);
  });
});

describe('rr serve with an invalid http section', () => {
  it('exits 1 listing every error with its dotted path', async () => {
    const config = httpConfig(worker)
      .replace('num_workers: 2', 'num_workers: 9999')
      .replace('allocate_timeout: 10s', 'allocate_timeout: soon\n    max_jobz: 1');
    const proc = startRr({ config, env }).catch((e: unknown) => e as Error);
    const err = await proc;
    expect(err).toBeInstanceOf(Error);
    const text = (err as Error).message;
    expect(text).toContain('RR_ERR_KERNEL_CONFIG_INVALID');
    for (const path of ['http.pool.num_workers', 'http.pool.allocate_timeout', 'http.pool.max_jobz']) expect(text).toContain(path);
  });
});
