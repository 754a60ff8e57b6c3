import { jobsDriversRef, type DeliveredJob, type JobsDriver } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import natsDefault, { natsPlugin } from '../src/index.js';
import { deleteStreams, message, startProxy, uniqueName, until } from './helpers.js';

/** Collects jobs drivers as the jobs plugin does (plugins never import plugins, so not the jobs plugin itself). */
function driversProbe(): { plugin: Plugin; drivers: () => readonly JobsDriver[] } {
  let seen: readonly JobsDriver[] = [];
  return {
    drivers: () => seen,
    plugin: definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { drivers: jobsDriversRef },
      init: ({ collected }) => {
        seen = collected.drivers;
        return {};
      },
    }),
  };
}

const streams: string[] = [];
afterAll(() => deleteStreams(streams));

describe('nats plugin', () => {
  it('is the default and the named export, with id nats', () => {
    expect(natsDefault).toBe(natsPlugin);
    expect(natsPlugin.id).toBe('nats');
  });

  it('runs with defaults when the nats section is absent and provides the nats driver', async () => {
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [natsPlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'nats')?.state).toBe('serving');
      expect(probe.drivers().map((d) => [d.name, d.defaultPrefetch])).toEqual([['nats', 10]]);
    } finally {
      await t.stop();
    }
    expect(t.kernel.report().find((p) => p.id === 'nats')?.state).toBe('stopped');
  });

  it('connects nothing at init; a pipeline opened as the jobs plugin opens it connects to nats.addr and carries jobs', async () => {
    const proxy = await startProxy();
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [natsPlugin, probe.plugin], config: { nats: { addr: proxy.addr } } });
    try {
      expect(proxy.connections()).toBe(0);
      const driver = probe.drivers()[0] as JobsDriver;
      const name = uniqueName();
      streams.push(name);
      // What jobs.Declare would send, core keys already removed.
      const options = await driver.configSchema['~standard'].validate({ stream: name, subject: `${name}.jobs`, delete_stream_on_stop: 'true' });
      if (options.issues !== undefined) throw new Error(JSON.stringify(options.issues));
      const jobs: DeliveredJob[] = [];
      const pipeline = await driver.open({
        pipeline: name,
        config: options.value,
        priority: 10,
        prefetch: driver.defaultPrefetch,
        logger: t.logger.named('jobs').with({ pipeline: name }),
        deliver: (job) => void jobs.push(job),
      });
      try {
        expect(proxy.connections()).toBe(1);
        await pipeline.push([message({ id: 'through-rr' })]);
        await pipeline.resume();
        await until(() => jobs.length === 1, 5000, 'delivered');
        expect(jobs[0]).toMatchObject({ id: 'through-rr', pipeline: name, queue: name });
        await jobs[0]?.ack();
      } finally {
        await pipeline.destroy(AbortSignal.timeout(5000));
      }
      await until(() => proxy.open() === 0, 2000, 'the connection closed by destroy');
    } finally {
      await t.stop();
      await proxy.close();
    }
  });
});
