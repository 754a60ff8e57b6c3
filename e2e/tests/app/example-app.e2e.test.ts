import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';

let rr: RrProcess | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});

describe('the example app (the README main job) on embedded defaults', () => {
  it('serves HTTP, keeps a counter in memory kv and processes pushed jobs on memory jobs', async () => {
    // The README's config as it is, with the worker path made absolute (startRr runs it from a temp dir)
    // and development logs switched to JSON so the harness can read them.
    const config = readFileSync(`${repoRoot}/examples/app/.rr.yaml`, 'utf8')
      .replace('php worker.php', `php ${repoRoot}/examples/app/worker.php`)
      .replace('mode: development', 'mode: production');
    rr = await startRr({ config, env: { RR_HTTP_PORT: '0', RR_RPC_PORT: String(await freePort()) } });
    const url = String(rr.httpUrl);
    const get = async (path: string, init?: RequestInit) => (await fetch(`${url}${path}`, init)).json() as Promise<Record<string, unknown>>;

    expect(await get('/')).toMatchObject({ message: 'Hello from rr' });
    expect(await get('/visits')).toMatchObject({ visits: 1, jobs_processed: 0 });
    const pushed = await get('/jobs?n=3', { method: 'POST' });
    expect(pushed.pushed).toHaveLength(3);
    await expect.poll(async () => (await get('/visits')).jobs_processed, { timeout: 10_000 }).toBe(3);
    expect(await get('/jobs')).toMatchObject({ pipelines: [{ pipeline: 'emails', driver: 'memory', ready: true }] });
  });
});
