import { afterEach, describe, expect, it } from 'vitest';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';

let rr: RrProcess | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});

describe('app logger: PHP logs through rr over RPC', () => {
  it.each([
    ['app.Error', 'error'],
    ['app.Warning', 'warn'],
    ['app.Info', 'info'],
  ])('%s lands in rr log with level %s on the app channel', async (method, level) => {
    const rpcPort = await freePort();
    rr = await startRr({ config: httpConfig(`${repoRoot}/e2e/workers/faults.php`, { rpcPort }), env: { RR_PHP_SDK: phpSdk } });
    const text = `hello from php via ${method}`;
    const res = await run('php', [`${phpSdk}/examples/rpc-call.php`, `tcp://127.0.0.1:${rpcPort}`, method, JSON.stringify(text)]);
    expect(res.stdout.trim()).toBe('true');
    const line = await rr.waitForLog((l) => l.msg === text);
    expect(line).toMatchObject({ level, logger: 'app' });
  });
});
