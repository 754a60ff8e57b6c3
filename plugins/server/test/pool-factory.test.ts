import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { poolConfigSchema, type WorkerPool } from '@rr/contracts';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerPoolFactory, type ServerPoolFactory } from '../src/pool-factory.js';
import { ECHO_WORKER, ENV_WORKER, PHP, ask, freePort, tempDir } from './helpers.js';

const factories: ServerPoolFactory[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(factories.splice(0).map((f) => f.destroyAll()));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function factory(relay: string, command: readonly string[] = [PHP, ENV_WORKER]): Promise<ServerPoolFactory> {
  const f = await createServerPoolFactory({
    command,
    relay,
    env: { base: { PATH: process.env.PATH }, relay, rpc: undefined, server: { FROM_SERVER: '1' }, version: '2025.1.15' },
    credentials: {},
    logger: recordingLogger().named('server'),
  });
  factories.push(f);
  return f;
}

const config = poolConfigSchema.parse({ num_workers: 2, allocate_timeout: '10s', destroy_timeout: '2s' });

async function newPool(f: ServerPoolFactory): Promise<WorkerPool> {
  return f.newPool({ name: 'http', config, logger: recordingLogger().named('http') });
}

describe('createServerPoolFactory: relays', () => {
  it('runs workers over pipes', async () => {
    const pool = await newPool(await factory('pipes'));
    const report = await ask(pool);
    expect(report.env).toMatchObject({ RR_RELAY: 'pipes', RR_MODE: 'http', RR_VERSION: '2025.1.15', FROM_SERVER: '1' });
    expect(pool.workers()).toHaveLength(2);
  });

  it('runs workers over a tcp relay that rr listens on', async () => {
    const relay = `tcp://127.0.0.1:${String(await freePort())}`;
    const pool = await newPool(await factory(relay));
    // The PHP SDK picks its relay from RR_RELAY, so an answer proves the worker connected over TCP.
    expect((await ask(pool)).env.RR_RELAY).toBe(relay);
  });

  it('shares one tcp listener between pools (RoadRunner listens once per server)', async () => {
    const relay = `tcp://127.0.0.1:${String(await freePort())}`;
    const f = await factory(relay);
    const http = await newPool(f);
    const jobs = await f.newPool({ name: 'jobs', config, logger: recordingLogger() });
    expect([(await ask(http)).env.RR_MODE, (await ask(jobs)).env.RR_MODE]).toEqual(['http', 'jobs']);
    expect((await ask(jobs)).env.RR_RELAY).toBe(relay);
  });

  it('gives workers the port actually bound for tcp port 0', async () => {
    const f = await factory('tcp://127.0.0.1:0');
    const address = f.listener?.address ?? '';
    expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect((await ask(await newPool(f))).env.RR_RELAY).toBe(address);
  });

  it('fails with RR_ERR_SERVER_RELAY_LISTEN_FAILED when the address is taken', async () => {
    const first = await factory('tcp://127.0.0.1:0');
    const err = await factory(first.listener?.address ?? '').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RR_ERR_SERVER_RELAY_LISTEN_FAILED', cause: { code: 'RR_ERR_GORIDGE_LISTEN_FAILED' } });
  });

  it('runs workers over a unix socket relay', async () => {
    const { dir, cleanup } = tempDir('rr-server-unix-');
    cleanups.push(cleanup);
    const path = join(dir, 'rr.sock');
    const relay = `unix://${path}`;
    const f = await factory(relay);
    const pool = await newPool(f);
    expect((await ask(pool)).env.RR_RELAY).toBe(relay);
    expect(existsSync(path)).toBe(true);
    await f.destroyAll();
    expect(existsSync(path)).toBe(false);
  });

  it('runs the php-sdk echo worker', async () => {
    const pool = await newPool(await factory('pipes', [PHP, ECHO_WORKER]));
    const result = await pool.exec({ context: Buffer.from('{"a":1}'), body: Buffer.from('hello'), codec: 0 });
    expect(result.body.toString()).toBe('hello');
    expect(result.context.toString()).toBe('{"a":1}');
  });
});

describe('createServerPoolFactory: ownership', () => {
  it('destroyAll destroys every pool and refuses new ones', async () => {
    const f = await factory('pipes');
    const a = await newPool(f);
    const b = await f.newPool({ name: 'jobs', config, logger: recordingLogger() });
    await f.destroyAll();
    await expect(a.exec({ context: Buffer.alloc(0), body: Buffer.alloc(0), codec: 0 })).rejects.toMatchObject({ code: 'RR_ERR_POOL_STOPPED' });
    await expect(b.exec({ context: Buffer.alloc(0), body: Buffer.alloc(0), codec: 0 })).rejects.toMatchObject({ code: 'RR_ERR_POOL_STOPPED' });
    await expect(newPool(f)).rejects.toMatchObject({ code: 'RR_ERR_SERVER_STOPPED' });
  });

  it('destroyAll is safe after an owner destroyed its pool', async () => {
    const f = await factory('pipes');
    const pool = await newPool(f);
    await pool.destroy();
    await expect(f.destroyAll()).resolves.toBeUndefined();
  });
});
