import { rmSync, writeFileSync } from 'node:fs';
import { RpcClient } from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';

let rr: RrProcess | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});

async function statusOf(url: string): Promise<number> {
  return (await fetch(url)).status;
}

async function until(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/ready reflects real dispatchability', () => {
  it('goes unready when every worker is dead and ready again when they are back', async () => {
    const marker = `/tmp/rr-e2e-broken-${process.pid}-${Date.now()}`;
    const rpcPort = await freePort();
    rr = await startRr({
      config: httpConfig(`${repoRoot}/e2e/workers/faults.php`, { rpcPort, extra: 'status:\n  address: 127.0.0.1:0\n' }),
      env: { RR_PHP_SDK: phpSdk, RR_TEST_BROKEN_MARKER: marker },
    });
    const line = await rr.waitForLog((l) => l.msg === 'status listening');
    const ready = `http://${String(line.address)}/ready?plugin=http`;
    const health = `http://${String(line.address)}/health?plugin=http`;
    expect(await statusOf(ready)).toBe(200);
    expect(await statusOf(health)).toBe(200);

    // Break the app and kill every worker: replacements cannot boot, so nothing can take a request.
    writeFileSync(marker, 'broken');
    try {
      const client = await RpcClient.connect(rr.rpcAddress ?? '');
      const { workers } = await client.call<{ workers: { pid: number }[] }>('informer.Workers', 'http');
      await client.close();
      for (const w of workers) process.kill(w.pid, 'SIGKILL');
      await until(async () => (await statusOf(ready)) === 503);
      const body = (await (await fetch(ready)).json()) as { plugin_name: string; status_code: number }[];
      expect(body).toEqual([expect.objectContaining({ plugin_name: 'http', status_code: 503 })]);
    } finally {
      rmSync(marker, { force: true });
    }
    // The app is fixed: the pool's retries bring workers back and /ready follows.
    await until(async () => (await statusOf(ready)) === 200);
    expect((await fetch(`${rr.httpUrl}/pid`)).status).toBe(200);
  });
});
