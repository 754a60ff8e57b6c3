import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describeKvDriver } from '@rr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisJobsDriver, delayedKeyOf, redisConfigSchema } from '../src/index.js';
import { bytes, open, text, uniquePrefix } from './helpers.js';
import { message, openPipeline } from './jobs-helpers.js';
import { ask, killAll, privateServer, until, type PrivateServer } from './servers.js';

const run = promisify(execFile);
const nodes: PrivateServer[] = [];
const addrs = (): string[] => nodes.map((n) => `127.0.0.1:${n.port}`);

/** Three private masters joined by redis-cli into one cluster covering every slot. */
async function startCluster(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    nodes.push(await privateServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'] }));
  }
  await Promise.all(nodes.map((n) => n.start()));
  await run('redis-cli', ['--cluster', 'create', ...addrs(), '--cluster-yes'], { timeout: 20_000 });
  await until(
    async () => {
      const infos = await Promise.all(nodes.map((n) => ask(n.port, ['CLUSTER INFO'])));
      return infos.every((info) => typeof info?.[0] === 'string' && info[0].includes('cluster_state:ok'));
    },
    15_000,
    'the cluster is ok on every node',
  );
}

describe('redis cluster (several addrs)', () => {
  beforeAll(startCluster, 30_000);
  afterAll(killAll);

  it('spreads a batch over the masters and reads it back; clear() with a prefix empties every master', async () => {
    const prefix = uniquePrefix();
    const { storage } = await open({ addrs: addrs(), prefix });
    try {
      const items = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: bytes(`v${i}`) }));
      await storage.set(items);
      const perNode = await Promise.all(nodes.map(async (n) => (await ask(n.port, ['DBSIZE']))?.[0] as number));
      // Keys of different slots: every master got some of them.
      expect(perNode.every((count) => count > 0)).toBe(true);
      const got = await storage.mget(items.map((i) => i.key));
      expect(got.size).toBe(200);
      expect(text(got.get('k199'))).toBe('v199');
      await storage.clear();
      expect(await storage.has(items.map((i) => i.key))).toEqual([]);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });

  it('clear() without a prefix flushes every master', async () => {
    const { storage } = await open({ addrs: addrs() });
    try {
      await storage.set(Array.from({ length: 50 }, (_, i) => ({ key: `x${i}`, value: bytes('x') })));
      await storage.clear();
      const perNode = await Promise.all(nodes.map(async (n) => (await ask(n.port, ['DBSIZE']))?.[0]));
      expect(perNode).toEqual([0, 0, 0]);
    } finally {
      await storage.close(AbortSignal.timeout(2000));
    }
  });

  it('carries jobs: each stream and its delayed set share a slot, so every script runs; destroy deletes both', async () => {
    const driver = createRedisJobsDriver(redisConfigSchema.parse({ addrs: addrs() }));
    for (const stream of ['', '{tenant}:jobs']) {
      const { pipeline, nth } = await openPipeline(driver, { config: { stream, block_timeout: '200ms', delete_stream_on_stop: true }, name: 'cluster-jobs' });
      const key = pipeline.queue;
      const slots = await Promise.all([key, delayedKeyOf(key)].map(async (k) => (await ask(nodes[0]?.port as number, [`CLUSTER KEYSLOT ${k}`]))?.[0]));
      expect(slots[0]).toBe(slots[1]);
      await pipeline.push([message({ delayMs: 100 }), message()]);
      await pipeline.resume();
      await (await nth(1)).requeue({ delayMs: 50 });
      await Promise.all([nth(2), nth(3)]);
      await Promise.all([2, 3].map(async (n) => (await nth(n)).ack()));
      expect(await pipeline.stat()).toMatchObject({ active: 0, delayed: 0, reserved: 0 });
      await pipeline.destroy(AbortSignal.timeout(3000));
    }
  });

  describeKvDriver({
    driver: 'redis (cluster)',
    ttl: 'exact',
    open: async () => (await open({ addrs: addrs(), prefix: uniquePrefix() })).storage,
  });
});
