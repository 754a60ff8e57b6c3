import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { poolConfigSchema } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import { startTestKernel, type TestKernel } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import serverPluginDefault, { serverPlugin } from '../src/index.js';
import { ENV_WORKER, PHP, ask, freePort, poolOwner, tempDir, type OwnerHandle } from './helpers.js';

const running: TestKernel[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.stop().catch(() => undefined)));
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function start(options: Parameters<typeof startTestKernel>[0]): Promise<TestKernel> {
  const t = await startTestKernel(options);
  running.push(t);
  return t;
}

function failure(err: unknown): { code?: string; cause?: { code?: string } } {
  return err as { code?: string; cause?: { code?: string } };
}

const worker = { command: `${PHP} ${ENV_WORKER}` };
const onePool = { pool: { num_workers: 1 } };

describe('server plugin: lifecycle', () => {
  it('is exported named and default with id server', () => {
    expect(serverPluginDefault).toBe(serverPlugin);
    expect(serverPlugin.id).toBe('server');
  });

  it('is disabled without a server section', async () => {
    const t = await start({ plugins: [serverPlugin] });
    expect(t.kernel.report().find((p) => p.id === 'server')).toMatchObject({ state: 'disabled', reason: "no 'server' section" });
  });

  it('fails a pool owner whose own section is present when server is absent', async () => {
    const err = await startTestKernel({ plugins: [serverPlugin, poolOwner({})], config: { http: onePool } }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_NEED_DISABLED')).toBe(true);
  });

  it('reports an invalid section with codes and dotted paths', async () => {
    const err = await startTestKernel({
      plugins: [serverPlugin],
      config: { server: { relay: 'tcp://:7000', on_init: { exec_timeout: '1s' }, users: 'x' } },
    }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    const issues = (err as { details: { issues: { path: string; code: string }[] } }).details.issues.map(({ path, code }) => ({ path, code }));
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'server.command', code: 'RR_ERR_CONFIG_INVALID_TYPE' },
        { path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
        { path: 'server.on_init.command', code: 'RR_ERR_CONFIG_INVALID_TYPE' },
        { path: 'server.users', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('inits, serves and stops with no pool created', async () => {
    const t = await start({ plugins: [serverPlugin], config: { server: worker } });
    expect(t.kernel.report().find((p) => p.id === 'server')?.state).toBe('serving');
    await t.stop();
    expect(t.kernel.report().find((p) => p.id === 'server')?.state).toBe('stopped');
  });

  it('warns that relay_timeout is deprecated and ignored', async () => {
    const t = await start({ plugins: [serverPlugin], config: { server: { ...worker, relay_timeout: '60s' } } });
    expect(t.logger.find('relay_timeout', 'warn')).toEqual([
      expect.objectContaining({ channel: 'server', fields: expect.objectContaining({ code: 'RR_DEP_SERVER_001' }) }),
    ]);
  });

  it('fails init with RR_ERR_SERVER_UNKNOWN_USER for a user that does not exist', async () => {
    const err = await startTestKernel({ plugins: [serverPlugin], config: { server: { ...worker, user: 'no-such-user-rr' } } }).catch((e: unknown) => e);
    expect(failure(err)).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', cause: { code: 'RR_ERR_SERVER_UNKNOWN_USER' } });
  });

  it('fails init with RR_ERR_SERVER_UNKNOWN_USER for an unknown on_init user', async () => {
    const err = await startTestKernel({
      plugins: [serverPlugin],
      config: { server: { ...worker, on_init: { command: 'true', user: 'no-such-user-rr' } } },
    }).catch((e: unknown) => e);
    expect(failure(err)).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', cause: { code: 'RR_ERR_SERVER_UNKNOWN_USER' } });
  });
});

describe('server plugin: on_init', () => {
  it('logs its output under the server channel', async () => {
    const t = await start({ plugins: [serverPlugin], config: { server: { ...worker, on_init: { command: ['sh', '-c', 'echo migrated'] } } } });
    expect(t.logger.find('migrated')).toEqual([expect.objectContaining({ level: 'info', channel: 'server' })]);
  });

  it('gives the command rr env plus on_init.env, expanded', async () => {
    const t = await start({
      plugins: [serverPlugin],
      config: { server: { ...worker, on_init: { command: ['sh', '-c', 'echo "dir=$DIR"'], env: { DIR: '$HOME/db' } } } },
    });
    expect(t.logger.find(`dir=${process.env.HOME ?? ''}/db`)).toHaveLength(1);
  });

  it('logs a failure and starts anyway by default', async () => {
    const t = await start({ plugins: [serverPlugin], config: { server: { ...worker, on_init: { command: ['sh', '-c', 'exit 2'] } } } });
    expect(t.logger.find('on_init failed', 'error')).toHaveLength(1);
    expect(t.kernel.report().find((p) => p.id === 'server')?.state).toBe('serving');
  });

  it('fails init with RR_ERR_SERVER_ON_INIT_FAILED when exit_on_error is set', async () => {
    const err = await startTestKernel({
      plugins: [serverPlugin],
      config: { server: { ...worker, on_init: { command: ['sh', '-c', 'exit 2'], exit_on_error: true } } },
    }).catch((e: unknown) => e);
    expect(failure(err)).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', cause: { code: 'RR_ERR_SERVER_ON_INIT_FAILED' } });
  });

  it('fails init with RR_ERR_SERVER_ON_INIT_TIMEOUT when the command outlives exec_timeout and exit_on_error is set', async () => {
    const err = await startTestKernel({
      plugins: [serverPlugin],
      config: { server: { ...worker, on_init: { command: 'sleep 30', exec_timeout: '300ms', exit_on_error: true } } },
    }).catch((e: unknown) => e);
    expect(failure(err)).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', cause: { code: 'RR_ERR_SERVER_ON_INIT_TIMEOUT' } });
  });

  it.runIf(process.getuid?.() === 0)('runs as on_init.user', async () => {
    const t = await start({ plugins: [serverPlugin], config: { server: { ...worker, on_init: { command: ['sh', '-c', 'echo "uid=$(id -u)"'], user: 'nobody' } } } });
    expect(t.logger.find('uid=65534')).toHaveLength(1);
  });

  it('finishes before the first worker starts', async () => {
    const { dir, cleanup } = tempDir('rr-server-order-');
    cleanups.push(cleanup);
    const marker = join(dir, 'order.log');
    // on_init takes a while on purpose: a worker started alongside it would write first.
    const t = await start({
      plugins: [serverPlugin, poolOwner({}, { env: { RR_TEST_MARKER: marker } })],
      config: { server: { ...worker, on_init: { command: ['sh', '-c', `sleep 0.3; echo on_init >> ${marker}`] } }, http: { pool: { num_workers: 2 } } },
    });
    expect(t.kernel.report().find((p) => p.id === 'http')?.state).toBe('serving');
    const lines = readFileSync(marker, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('on_init');
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^worker \d+$/), expect.stringMatching(/^worker \d+$/)]);
  });
});

describe('server plugin: pools for other plugins', () => {
  it('gives an http-like plugin a working pool with the worker environment', async () => {
    const handle: OwnerHandle = {};
    process.env.RR_SERVER_TEST_BASE = 'from-rr';
    try {
      await start({
        plugins: [serverPlugin, poolOwner(handle, { env: { POOL_EXTRA: 'yes' } })],
        config: {
          server: { ...worker, env: { app_env: 'test', from_rr: '$RR_SERVER_TEST_BASE' } },
          http: onePool,
          rpc: { listen: 'tcp://:6001' },
        },
      });
    } finally {
      delete process.env.RR_SERVER_TEST_BASE;
    }
    const report = await ask(handle.pool!);
    expect(report.env).toMatchObject({
      RR_MODE: 'http',
      RR_RELAY: 'pipes',
      RR_RPC: 'tcp://127.0.0.1:6001',
      RR_VERSION: expect.stringMatching(/^\d+\.\d+\.\d+/),
      APP_ENV: 'test',
      FROM_RR: 'from-rr',
      POOL_EXTRA: 'yes',
      RR_SERVER_TEST_BASE: 'from-rr',
    });
  });

  it('sets no RR_RPC without an rpc section, and RR_MODE from mode when given', async () => {
    const handle: OwnerHandle = {};
    await start({ plugins: [serverPlugin, poolOwner(handle, { id: 'jobs', mode: 'jobs' })], config: { server: worker, jobs: onePool } });
    const report = await ask(handle.pool!);
    expect(report.env.RR_MODE).toBe('jobs');
    expect(report.env).not.toHaveProperty('RR_RPC');
  });

  it('prefers pool.command over server.command', async () => {
    const handle: OwnerHandle = {};
    await start({
      plugins: [serverPlugin, poolOwner(handle)],
      config: { server: { command: `${PHP} /nonexistent/worker.php` }, http: { pool: { num_workers: 1, command: `${PHP} ${ENV_WORKER}` } } },
    });
    expect((await ask(handle.pool!)).env.RR_MODE).toBe('http');
  });

  it.runIf(process.getuid?.() === 0)('runs workers as server.user', async () => {
    const handle: OwnerHandle = {};
    await start({ plugins: [serverPlugin, poolOwner(handle)], config: { server: { ...worker, user: 'nobody' }, http: onePool } });
    // nobody:x:65534:65534 in this image's /etc/passwd; the gid is the user's primary group.
    expect(await ask(handle.pool!)).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('shares a tcp relay between two pool owners', async () => {
    const http: OwnerHandle = {};
    const jobs: OwnerHandle = {};
    const relay = `tcp://127.0.0.1:${String(await freePort())}`;
    await start({ plugins: [serverPlugin, poolOwner(http), poolOwner(jobs, { id: 'jobs' })], config: { server: { ...worker, relay }, http: onePool, jobs: onePool } });
    expect((await ask(http.pool!)).env).toMatchObject({ RR_RELAY: relay, RR_MODE: 'http' });
    expect((await ask(jobs.pool!)).env).toMatchObject({ RR_RELAY: relay, RR_MODE: 'jobs' });
  });

  it('fails init with RR_ERR_SERVER_RELAY_LISTEN_FAILED when the relay address is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const err = await startTestKernel({ plugins: [serverPlugin], config: { server: { ...worker, relay: `tcp://127.0.0.1:${String(port)}` } } }).catch((e: unknown) => e);
      expect(failure(err)).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', cause: { code: 'RR_ERR_SERVER_RELAY_LISTEN_FAILED' } });
    } finally {
      blocker.close();
    }
  });

  it('fails the owner with a coded error when the workers cannot start', async () => {
    const err = await startTestKernel({
      plugins: [serverPlugin, poolOwner({})],
      config: { server: { command: [PHP, '-r', 'exit(3);'] }, http: { pool: { num_workers: 1, allocate_timeout: '2s' } } },
    }).catch((e: unknown) => e);
    // The pool's own error passes through unchanged, wrapped only by the kernel.
    expect(failure(err)).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', cause: { code: 'RR_ERR_POOL_WORKER_START_FAILED' } });
  });

  it('destroys pools their owners left alive when it stops, and refuses new ones after', async () => {
    const handle: OwnerHandle = {};
    const t = await start({ plugins: [serverPlugin, poolOwner(handle, { destroyOnStop: false })], config: { server: worker, http: onePool } });
    const pid = (await ask(handle.pool!)).pid;
    expect(existsSync(`/proc/${String(pid)}`)).toBe(true);
    await t.stop();
    await expect.poll(() => processGone(pid), { timeout: 5_000 }).toBe(true);
    const err = await handle.factory!.newPool({ name: 'late', config: poolConfigSchema.parse({ num_workers: 1 }), logger: t.logger }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_SERVER_STOPPED')).toBe(true);
  });
});

/** Gone or a zombie (this sandbox's init may never reap). */
function processGone(pid: number): boolean {
  try {
    return /^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
