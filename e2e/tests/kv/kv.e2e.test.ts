import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from '@rr/goridge';
import { startRedisServer, type RedisServer } from '@rr/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { phpSdk, rrBin } from '../../helpers/paths.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';

const kvClient = `${phpSdk}/examples/kv-client.php`;
const running: RrProcess[] = [];
const redisServers: RedisServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const rr of running.splice(0)) await rr.stop();
});
afterAll(async () => {
  for (const r of redisServers) await r.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A unique Redis key prefix per test: the machine's Redis is shared. */
const uniquePrefix = () => `rr-e2e-kv-${randomBytes(6).toString('hex')}:`;

function kvConfig(storages: string, rpcPort = 0): string {
  return `version: "3"
rpc:
  listen: tcp://127.0.0.1:${rpcPort}
kv:
${storages}
logs:
  mode: production
  level: info
`;
}

async function start(storages: string): Promise<RrProcess> {
  const rr = await startRr({ config: kvConfig(storages) });
  running.push(rr);
  return rr;
}

/** Runs php-sdk's kv-client example (the official-shaped PSR-16 client) against rr; one JSON value per op. */
async function php(rr: RrProcess, storage: string, ...ops: string[][]): Promise<{ results: unknown[]; error?: string; code: number | null }> {
  const res = await run('php', [kvClient, storage, ...ops.flatMap((op, i) => (i === 0 ? op : ['|', ...op]))], {
    env: { ...process.env, RR_RPC: String(rr.rpcAddress) },
  });
  const lines = res.stdout.split('\n').filter(Boolean);
  const error = lines.find((l) => l.startsWith('ERROR '));
  if (res.code !== 0 && error === undefined) throw new Error(`kv-client failed (${res.code}): ${res.stderr}${res.stdout}`);
  return { results: lines.filter((l) => !l.startsWith('ERROR ')).map((l) => JSON.parse(l) as unknown), error, code: res.code };
}

/** Round trip every PSR-16 operation through rr with TTLs, as a PHP app does. */
async function roundTrip(rr: RrProcess, storage: string): Promise<void> {
  const set = await php(rr, storage, ['set', 'greeting', 'hello', '2'], ['set', 'forever', 'kept'], ['get', 'greeting'], ['has', 'greeting'], ['ttl', 'greeting'], ['ttl', 'forever']);
  expect(set.error).toBeUndefined();
  const [, , value, has, ttl, noTtl] = set.results;
  expect(value).toBe('hello');
  expect(has).toBe(true);
  // The deadline comes back as PHP sent it: RFC 3339, whole seconds, about 2 s ahead.
  expect(ttl).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  const left = Date.parse(String(ttl)) - Date.now();
  expect(left).toBeGreaterThan(-1000);
  expect(left).toBeLessThanOrEqual(3000);
  expect(noTtl).toBeNull();

  await expect.poll(async () => (await php(rr, storage, ['has', 'greeting'])).results[0], { timeout: 6000, interval: 250 }).toBe(false);
  const after = await php(rr, storage, ['get', 'greeting'], ['get', 'forever'], ['getmultiple', 'forever', 'greeting'], ['delete', 'forever'], ['has', 'forever']);
  expect(after.results).toEqual([null, 'kept', { forever: 'kept', greeting: null }, true, false]);
}

describe('kv: PHP round trips through rr', () => {
  it('memory storage: set/get/has/ttl/delete with a TTL that expires', async () => {
    const rr = await start('  local:\n    driver: memory\n');
    await roundTrip(rr, 'local');
  });

  it('redis storage (the machine Redis, unique prefix): same round trip, TTL native', async () => {
    const rr = await start(`  cache:\n    driver: redis\n    config:\n      addrs: ["127.0.0.1:6379"]\n      prefix: "${uniquePrefix()}"\n`);
    await roundTrip(rr, 'cache');
    await php(rr, 'cache', ['clear']);
  });

  it('boltdb storage survives an rr restart, values and deadlines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-kv-durable-'));
    dirs.push(dir);
    const storages = `  durable:\n    driver: boltdb\n    config:\n      file: ${join(dir, 'rr.db')}\n`;
    let rr = await start(storages);
    const before = await php(rr, 'durable', ['set', 'k', 'persisted'], ['set', 't', 'timed', '3600'], ['ttl', 't']);
    expect(before.error).toBeUndefined();
    const deadline = before.results[2];
    expect(await rr.stop()).toBe(0);
    running.splice(running.indexOf(rr), 1);

    rr = await start(storages);
    const after = await php(rr, 'durable', ['get', 'k'], ['get', 't'], ['ttl', 't']);
    expect(after.results).toEqual(['persisted', 'timed', deadline]);
  });
});

describe('kv: bad input gets a coded error and rr keeps serving', () => {
  it('an unknown storage is a StorageException (rr answers "no such storage", the client names the storage)', async () => {
    const rr = await start('  local:\n    driver: memory\n');
    const res = await php(rr, 'nope', ['get', 'x']);
    expect(res.code).toBe(2);
    expect(res.error).toMatch(/StorageException/);
    expect(res.error).toContain('"nope"');
    expect((await php(rr, 'local', ['set', 'x', '1'], ['get', 'x'])).results).toEqual([true, '1']);
  });

  it('wrong driver options and unknown drivers stop rr at start with every dotted path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-kv-bad-'));
    dirs.push(dir);
    const config = kvConfig('  r:\n    driver: redis\n    config:\n      addrs: 42\n      db: "zero"\n  x:\n    driver: floppy\n  y:\n    config: {}\n');
    writeFileSync(join(dir, '.rr.yaml'), config);
    const res = await run(process.execPath, [rrBin, 'serve', '-c', join(dir, '.rr.yaml')], { cwd: dir });
    expect(res.code).toBe(1);
    const out = res.stderr + res.stdout;
    expect(out).toContain('RR_ERR_KV_CONFIG_INVALID');
    expect(out).toContain('kv.r.config.addrs');
    expect(out).toContain('kv.r.config.db');
    expect(out).toContain('kv.x.driver');
    expect(out).toContain('floppy');
    expect(out).toContain('kv.y.driver');
  });

  it('a malformed protobuf payload is RR_ERR_KV_BAD_REQUEST, and the next call works', async () => {
    const rr = await start('  local:\n    driver: memory\n');
    const client = await RpcClient.connect(String(rr.rpcAddress));
    try {
      // Field 1 declared as a 100-byte string with 3 bytes present: truncated protobuf.
      const garbage = Buffer.from([0x0a, 0x64, 0x61, 0x62, 0x63]);
      await expect(client.call('kv.Set', garbage, 0x80)).rejects.toThrow(/RR_ERR_KV_BAD_REQUEST/);
      await expect(client.call('kv.Set', Buffer.from('{"storage":"local"}'), 0x08)).rejects.toThrow(/RR_ERR_KV/);
    } finally {
      await client.close();
    }
    expect((await php(rr, 'local', ['set', 'after', 'ok'], ['get', 'after'])).results).toEqual([true, 'ok']);
  });

  it('Redis going away: calls fail fast with RR_ERR_REDIS_UNAVAILABLE, other storages serve, and it recovers', async () => {
    const redis = await startRedisServer();
    redisServers.push(redis);
    const rr = await start(`  flaky:\n    driver: redis\n    config:\n      addrs: ["127.0.0.1:${redis.port}"]\n  local:\n    driver: memory\n`);
    expect((await php(rr, 'flaky', ['set', 'a', '1'], ['get', 'a'])).results).toEqual([true, '1']);

    await redis.stop();
    const started = Date.now();
    const down = await php(rr, 'flaky', ['get', 'a']);
    expect(down.code).toBe(2);
    expect(down.error).toContain('RR_ERR_REDIS_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(8000);
    expect((await php(rr, 'local', ['set', 'still', 'here'], ['get', 'still'])).results).toEqual([true, 'here']);

    await redis.start();
    await expect
      .poll(async () => (await php(rr, 'flaky', ['set', 'b', '2'], ['get', 'b'])).results, { timeout: 15_000, interval: 300 })
      .toEqual([true, '2']);
    expect(rr.child.exitCode).toBeNull();
  });
});
