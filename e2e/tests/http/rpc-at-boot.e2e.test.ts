import { afterEach, describe, expect, it } from 'vitest';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';

let rr: RrProcess | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});

describe('workers calling RPC while they boot', () => {
  it('find rr RPC already listening (workers start after rpc serves)', async () => {
    const rpcPort = await freePort();
    rr = await startRr({ config: httpConfig(`${repoRoot}/e2e/workers/rpc-at-boot.php`, { rpcPort }), env: { RR_PHP_SDK: phpSdk } });
    const res = await fetch(`${rr.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(['http']);
  });
});
