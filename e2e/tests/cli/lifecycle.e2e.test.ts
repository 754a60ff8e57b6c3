import { existsSync } from 'node:fs';
import { RpcClient } from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { phpSdk, repoRoot, rrBin } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';

const worker = `${repoRoot}/e2e/workers/faults.php`;
const env = { RR_PHP_SDK: phpSdk };
let rr: RrProcess | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});

/** Probe, don't guess: resolves once a worker reports a request in progress. */
async function workerBusy(proc: RrProcess): Promise<void> {
  const client = await RpcClient.connect(proc.rpcAddress ?? '');
  try {
    for (;;) {
      const { workers } = await client.call<{ workers: { statusStr: string }[] }>('informer.Workers', 'http');
      if (workers.some((w) => w.statusStr === 'working')) return;
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    await client.close();
  }
}

describe('rr process lifecycle', () => {
  it('SIGTERM drains the request in flight, then exits 0', async () => {
    const rpcPort = await freePort();
    rr = await startRr({ config: httpConfig(worker, { rpcPort }), env });
    const slow = fetch(`${rr.httpUrl}/sleep?ms=1500`);
    await workerBusy(rr);
    rr.child.kill('SIGTERM');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await rr.exited).toBe(0);
  });

  it('a second signal forces the exit while a request is still draining', async () => {
    rr = await startRr({ config: httpConfig(worker, { rpcPort: await freePort() }), env });
    const slow = fetch(`${rr.httpUrl}/sleep?ms=10000`).catch((e: unknown) => e);
    await workerBusy(rr);
    rr.child.kill('SIGTERM');
    await new Promise((r) => rr?.child.stderr.once('data', r)); // rr acknowledged the first signal
    rr.child.kill('SIGTERM');
    expect(await rr.exited).toBe(1);
    expect(rr.text.join('\n')).toContain('forced exit');
    await slow;
  });

  it('rr stop ends the rr started with -p and its pid file goes away', async () => {
    rr = await startRr({ config: httpConfig(worker), env, args: ['-p'] });
    expect(existsSync(`${rr.dir}/.pid`)).toBe(true);
    const res = await run(rrBin, ['stop', '-c', `${rr.dir}/.rr.yaml`]);
    expect(res.code).toBe(0);
    expect(await rr.exited).toBe(0);
    expect(existsSync(`${rr.dir}/.pid`)).toBe(false);
  });

  it('rr workers prints the live workers of a running rr', async () => {
    const rpcPort = await freePort();
    rr = await startRr({ config: httpConfig(worker, { rpcPort }), env });
    const res = await run(rrBin, ['workers', '-c', `${rr.dir}/.rr.yaml`]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Workers of [http]:');
    expect(res.stdout.match(/\| \d+ +\| ready/g)).toHaveLength(2);
  });
});
