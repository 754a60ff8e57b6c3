import { createServer } from 'node:net';
import { jobsDriversRef, type JobsDriver } from '@rr/contracts';
import { definePlugin, type RrError } from '@rr/kernel';
import { recordingLogger, startTestKernel } from '@rr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import amqpDefault, { amqpPlugin } from '../src/index.js';
import { message, Names } from './helpers.js';

/** Stands in for the jobs plugin: collects the drivers as it would. */
function driversProbe() {
  let drivers: readonly JobsDriver[] = [];
  const plugin = definePlugin({
    id: 'jobs',
    kernel: '^1.0.0',
    collects: { drivers: jobsDriversRef },
    init({ collected }) {
      drivers = collected.drivers;
      return {};
    },
  });
  return { plugin, driver: () => drivers[0] as JobsDriver };
}

async function validated(driver: JobsDriver, raw: unknown): Promise<unknown> {
  const result = await driver.configSchema['~standard'].validate(raw);
  if (result.issues !== undefined) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const open = async (driver: JobsDriver, raw: unknown) =>
  driver.open({ pipeline: 'p', config: await validated(driver, raw), priority: 10, prefetch: driver.defaultPrefetch, logger: recordingLogger(), deliver: () => undefined });

describe('amqp plugin', () => {
  const names = new Names();
  afterAll(() => names.cleanup());

  it('is the default and the named export, with id amqp', () => {
    expect(amqpDefault).toBe(amqpPlugin);
    expect(amqpPlugin.id).toBe('amqp');
  });

  it("runs on defaults without an 'amqp' section and provides the jobs driver amqp on RoadRunner's broker address", async () => {
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [amqpPlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'amqp')?.state).toBe('serving');
      const driver = probe.driver();
      expect(driver).toMatchObject({ name: 'amqp', defaultPrefetch: 10 });
      const pipeline = await open(driver, { ...names.next(), delete_queue_on_stop: 'true' });
      await pipeline.push([message()]);
      expect(await pipeline.stat()).toMatchObject({ active: 1, delayed: 0, reserved: 0 });
      await pipeline.destroy(AbortSignal.timeout(2000));
    } finally {
      await t.stop();
    }
    expect(t.kernel.report().find((p) => p.id === 'amqp')?.state).toBe('stopped');
  });

  it('connects to nothing at init: an unreachable broker fails only the pipeline that opens', async () => {
    const probe = driversProbe();
    const port = await deadPort();
    const t = await startTestKernel({ plugins: [amqpPlugin, probe.plugin], config: { amqp: { addr: `amqp://guest:guest@127.0.0.1:${port}/` } } });
    try {
      expect(t.kernel.report().find((p) => p.id === 'amqp')?.state).toBe('serving');
      await expect(open(probe.driver(), names.next())).rejects.toMatchObject({ code: 'RR_ERR_AMQP_UNAVAILABLE' });
    } finally {
      await t.stop();
    }
  });

  it('reads TLS files when a pipeline opens, with a coded error for a missing one', async () => {
    const probe = driversProbe();
    const t = await startTestKernel({
      plugins: [amqpPlugin, probe.plugin],
      config: { amqp: { addr: 'amqps://127.0.0.1:5671/', tls: { cert: '/nonexistent/cert.pem', key: '/nonexistent/key.pem' } } },
    });
    try {
      await expect(open(probe.driver(), names.next())).rejects.toMatchObject({ code: 'RR_ERR_AMQP_TLS_FILE' });
    } finally {
      await t.stop();
    }
  });

  it('rejects an invalid section with the kernel code and path', async () => {
    const err = (await startTestKernel({ plugins: [amqpPlugin], config: { amqp: { addr: 'redis://x', prefetch: 1 } } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect((err.details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }))).toEqual([
      { path: 'amqp.addr', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
      { path: 'amqp.prefetch', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
    ]);
  });
});
