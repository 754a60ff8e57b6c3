import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fcgi } from '@rr/testkit';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';

let rr: RrProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const worker = `${repoRoot}/e2e/workers/faults.php`;

/** rr with FastCGI as its only frontend, as behind nginx's `fastcgi_pass`. */
const fcgiOnly = (address: string) => `version: "3"
server:
  command: "php ${worker}"
http:
  fcgi:
    address: ${address}
  pool:
    num_workers: 1
    allocate_timeout: 10s
logs:
  mode: production
  level: info
`;

async function fcgiTarget(process: RrProcess): Promise<{ port: number } | { path: string }> {
  const line = await process.waitForLog((l) => l.msg === 'fcgi listening');
  const address = String(line.address);
  return address.startsWith('unix://') ? { path: address.slice('unix://'.length) } : { port: Number(address.split(':').pop()) };
}

describe('http.fcgi: FastCGI as the only frontend of the built rr', () => {
  it('serves PHP over TCP with the request nginx describes in CGI params', async () => {
    rr = await startRr({ config: fcgiOnly('tcp://127.0.0.1:0'), env: { RR_PHP_SDK: phpSdk } });
    const target = await fcgiTarget(rr);
    const res = await fcgi.fcgiRequest(target, fcgi.cgiParams('GET', '/request?a=1', { HTTP_X_TRACE: 'abc' }));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toEqual(['application/json']);
    const seen = JSON.parse(res.text) as { method: string; uri: string; remoteAddr: string; headers: Record<string, string[]> };
    expect(seen.method).toBe('GET');
    expect(seen.uri).toBe('http://example.test/request?a=1');
    expect(seen.remoteAddr).toBe('203.0.113.9');
    expect(seen.headers['X-Trace']).toEqual(['abc']);

    // A POST body travels in STDIN records; a response over 64 KiB comes back in several STDOUT records.
    const body = JSON.stringify({ hello: 'fcgi' });
    const echoed = await fcgi.fcgiRequest(target, fcgi.cgiParams('POST', '/echo', { CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(body.length) }), body);
    expect(echoed.text).toBe(body);
    const big = await fcgi.fcgiRequest(target, fcgi.cgiParams('GET', '/big?bytes=200000'));
    expect(big.body.length).toBeGreaterThan(190_000);
    expect(big.stdout.length).toBeGreaterThan(3);
  });

  it('listens on a unix socket and removes it on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-fcgi-'));
    dirs.push(dir);
    const sock = join(dir, 'rr.sock');
    rr = await startRr({ config: fcgiOnly(`unix://${sock}`), env: { RR_PHP_SDK: phpSdk } });
    const target = await fcgiTarget(rr);
    expect(target).toEqual({ path: sock });
    const res = await fcgi.fcgiRequest(target, fcgi.cgiParams('GET', '/request'));
    expect(res.status).toBe(200);
    await rr.stop();
    rr = undefined;
    await expect(fcgi.fcgiRequest({ path: sock }, fcgi.cgiParams('GET', '/request'))).rejects.toThrow(/ENOENT/);
  });
});
