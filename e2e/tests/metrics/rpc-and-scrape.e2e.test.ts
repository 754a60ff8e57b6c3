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

const rpcCall = `${phpSdk}/examples/rpc-call.php`;

/** Value of one sample line (`name{labels} value`) in the Prometheus text format. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('metrics: PHP declares and updates collectors over RPC, Prometheus scrapes them', () => {
  it('counts, sets and observes, with labels, next to the pool metrics', async () => {
    const rpcPort = await freePort();
    rr = await startRr({
      config: httpConfig(`${repoRoot}/e2e/workers/faults.php`, {
        rpcPort,
        extra: 'metrics:\n  address: 127.0.0.1:0\n  collect:\n    orders_total:\n      type: counter\n      help: orders\n      labels: [kind]\n',
      }),
      env: { RR_PHP_SDK: phpSdk },
    });
    const line = await rr.waitForLog((l) => l.msg === 'metrics listening');
    const address = `tcp://127.0.0.1:${rpcPort}`;
    const call = async (method: string, payload: unknown) => {
      const res = await run('php', [rpcCall, address, method, JSON.stringify(payload)]);
      expect(res.stderr).toBe('');
      return res;
    };
    expect((await call('metrics.Add', { name: 'orders_total', value: 2, labels: ['web'] })).stdout.trim()).toBe('true');
    await call('metrics.Add', { name: 'orders_total', value: 1, labels: ['web'] });
    await call('metrics.Declare', { name: 'queue_depth', collector: { type: 'gauge', help: 'depth' } });
    await call('metrics.Set', { name: 'queue_depth', value: 7 });
    await call('metrics.Declare', { name: 'latency', collector: { type: 'histogram', help: 'latency', buckets: [0.1, 1] } });
    await call('metrics.Observe', { name: 'latency', value: 0.5 });
    const missing = await call('metrics.Add', { name: 'nope', value: 1 });
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('RR_ERR_METRICS_UNDEFINED_COLLECTOR');

    const text = await (await fetch(`http://${String(line.address)}/metrics`)).text();
    expect(sample(text, 'orders_total{kind="web"}')).toBe(3);
    expect(sample(text, 'queue_depth')).toBe(7);
    expect(sample(text, 'latency_bucket{le="1"}')).toBe(1);
    expect(sample(text, 'latency_bucket{le="0.1"}')).toBe(0);
    expect(sample(text, 'rr_http_total_workers')).toBe(2);
  });
});
