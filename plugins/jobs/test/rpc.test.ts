import type { MetricFamily, MetricSample, MetricsCollector, StatusSource, WorkerSource } from '@rr/contracts';
import { metricsCollectorsRef, statusSourcesRef, workerSourcesRef } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { afterEach, describe, expect, it } from 'vitest';
import { jobsProto } from '../src/index.js';
import { startJobs, until, type Jobs } from './helpers/start.js';

let jobs: Jobs | undefined;
afterEach(async () => {
  await jobs?.dispose();
  jobs = undefined;
});

const names = (body: Buffer) => jobsProto.decodePipelines(body);
const pipelines = (...list: string[]) => jobsProto.encodePipelines(list);
const rejection = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { code: string; message: string });

describe('jobs RPC', () => {
  it('lists, stats, pauses and resumes pipelines; a paused pipeline still takes pushes', async () => {
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem', config: { priority: 4 } }, idle: { driver: 'mem' } } });
    const j = jobs;
    expect(names(await j.call('List'))).toEqual(['a', 'idle']);
    expect(jobsProto.decodeStats(await j.call('Stat'))).toEqual([
      { pipeline: 'a', driver: 'mem', queue: 'a', active: 0, delayed: 0, reserved: 0, ready: true, priority: 4 },
      { pipeline: 'idle', driver: 'mem', queue: 'idle', active: 0, delayed: 0, reserved: 0, ready: false, priority: 10 },
    ]);
    await j.call('Pause', pipelines('a'));
    const id = await j.push('a', {});
    await j.push('idle', {}, { delay: 60 });
    await until(async () => jobsProto.decodeStats(await j.call('Stat'))[0]?.active === 1, 5000, 'queued while paused');
    expect(j.seen()).toHaveLength(0);
    expect(jobsProto.decodeStats(await j.call('Stat'))).toMatchObject([{ ready: false, active: 1 }, { delayed: 1 }]);
    await j.call('Resume', pipelines('a'));
    expect((await j.waitSeen(1))[0]?.id).toBe(id);
  });

  it('declares a pipeline at run time (paused unless consumed), then destroys it', async () => {
    jobs = await startJobs({ consume: ['a', 'auto'], pipelines: { a: { driver: 'mem' } } });
    const j = jobs;
    expect(j.t.logger.find('jobs.consume names a pipeline that is not configured; it is consumed once declared')[0]?.fields).toEqual({ pipeline: 'auto' });
    await j.call('Declare', jobsProto.encodeDeclare({ driver: 'mem', name: 'rt', priority: '2', prefetch: '5', max_attempts: '1' }));
    expect(names(await j.call('List'))).toEqual(['a', 'rt']);
    expect(j.world.opened.at(-1)).toMatchObject({ pipeline: 'rt', prefetch: 5, priority: 2 });
    expect(jobsProto.decodeStats(await j.call('Stat'))[1]).toMatchObject({ pipeline: 'rt', ready: false, priority: 2 });
    await j.push('rt', {});
    await j.call('Resume', pipelines('rt'));
    await j.waitSeen(1, (s) => s.pipeline === 'rt');

    await j.call('Declare', jobsProto.encodeDeclare({ driver: 'mem', name: 'auto' }));
    await j.push('auto', {});
    await j.waitSeen(1, (s) => s.pipeline === 'auto');

    expect(names(await j.call('Destroy', pipelines('rt', 'auto')))).toEqual(['rt', 'auto']);
    expect(j.world.destroyed).toEqual(['rt', 'auto']);
    expect(names(await j.call('List'))).toEqual(['a']);
  });

  it('answers with RoadRunner\'s error texts as coded errors', async () => {
    jobs = await startJobs({ consume: [], pipelines: { a: { driver: 'mem' }, broken: { driver: 'mem', config: { fail_push: true } } } });
    const j = jobs;
    expect(await rejection(j.push('a', {}, { id: '' }))).toMatchObject({ code: 'RR_ERR_JOBS_EMPTY_ID', message: 'empty ID field not allowed' });
    expect(await rejection(j.push('ghost', {}))).toMatchObject({ code: 'RR_ERR_JOBS_NO_SUCH_PIPELINE', message: 'no such pipeline, requested: ghost' });
    expect(await rejection(j.call('Pause', pipelines('ghost')))).toMatchObject({ code: 'RR_ERR_JOBS_NO_SUCH_PIPELINE' });
    expect(await rejection(j.call('Destroy', pipelines('ghost')))).toMatchObject({ code: 'RR_ERR_JOBS_NO_SUCH_PIPELINE' });
    expect(await rejection(j.call('Declare', jobsProto.encodeDeclare({ driver: 'mem', name: 'a' })))).toMatchObject({
      code: 'RR_ERR_JOBS_PIPELINE_EXISTS',
      message: 'pipeline already exists, name: a, driver: mem',
    });
    expect(await rejection(j.call('Declare', jobsProto.encodeDeclare({ name: 'x' })))).toMatchObject({
      code: 'RR_ERR_JOBS_MISSING_DRIVER',
      message: expect.stringContaining('no associated driver with the pipeline, pipeline name: x'),
    });
    expect(await rejection(j.call('Declare', jobsProto.encodeDeclare({ driver: 'kafka', name: 'x' })))).toMatchObject({ code: 'RR_ERR_JOBS_UNKNOWN_DRIVER' });
    expect(await rejection(j.call('Declare', jobsProto.encodeDeclare({ driver: 'mem', name: 'x', prefetch: 'many' })))).toMatchObject({
      code: 'RR_ERR_JOBS_BAD_OPTIONS',
      message: expect.stringContaining('jobs.Declare(x).prefetch'),
    });
    expect(await rejection(j.call('Declare', jobsProto.encodeDeclare({ driver: 'mem', name: 'x', dead_letter: 'nowhere' })))).toMatchObject({ code: 'RR_ERR_JOBS_UNKNOWN_DEAD_LETTER' });
    expect(await rejection(j.push('broken', {}))).toMatchObject({ code: 'RR_ERR_JOBS_PUSH_FAILED', message: expect.stringContaining('broker refused the push') });
    expect(await rejection(j.call('Push', Buffer.from([0xff, 0xff, 0xff])))).toMatchObject({ code: 'RR_ERR_JOBS_BAD_REQUEST' });
  });

  it('pushes a batch to several pipelines in one call', async () => {
    jobs = await startJobs({ consume: [], pipelines: { a: { driver: 'mem' }, b: { driver: 'mem' } } });
    const job = (id: string, pipeline: string) => ({ id, job: 'J', payload: Buffer.from('{}'), options: { pipeline } });
    await jobs.call('PushBatch', jobsProto.encodePushBatch([job('1', 'a'), job('2', 'b'), job('3', 'a')]));
    expect(jobs.world.pushed.map((p) => [p.pipeline, p.messages.map((m) => m.id)])).toEqual([
      ['a', ['1', '3']],
      ['b', ['2']],
    ]);
  });
});

/** The samples of a counter or gauge family. */
const samples = (families: readonly MetricFamily[], name: string): MetricSample[] => {
  const family = families.find((f) => f.name === name);
  return family === undefined || family.type === 'histogram' ? [] : [...family.samples];
};

describe('jobs provides', () => {
  it('reports workers, readiness and metrics', async () => {
    let workers: readonly WorkerSource[] = [];
    let status: readonly StatusSource[] = [];
    let metrics: readonly MetricsCollector[] = [];
    const probe = definePlugin({
      id: 'collector',
      kernel: '^1.0.0',
      collects: { w: workerSourcesRef, s: statusSourcesRef, m: metricsCollectorsRef },
      init: ({ collected }) => {
        ({ w: workers, s: status, m: metrics } = collected);
        return {};
      },
    });
    jobs = await startJobs({ consume: ['a'], pipelines: { a: { driver: 'mem' }, broken: { driver: 'mem', config: { fail_push: true } } } }, { extraPlugins: [probe] });
    const j = jobs;
    expect(workers.find((w) => w.name === 'jobs')?.workers()).toHaveLength(1);
    expect(await status.find((s) => s.name === 'jobs')?.ready()).toEqual({ code: 200, message: '' });
    // informer.Jobs and status /jobs read the same states: consuming or not, with the driver's counters.
    const states = await workers.find((w) => w.name === 'jobs')?.jobsState?.();
    expect(states?.map((s) => [s.pipeline, s.driver, s.ready, s.priority, s.errorMessage])).toEqual([
      ['a', 'mem', true, 10, ''],
      ['broken', 'mem', false, 10, ''],
    ]);
    expect(await status.find((s) => s.name === 'jobs')?.pipelines?.()).toEqual(states);
    await j.push('a', {});
    await j.push('broken', {}).catch(() => undefined);
    await j.waitSeen(1);
    await until(async () => {
      const families = await (metrics.find((m) => m.name === 'jobs') as MetricsCollector).collect();
      return samples(families, 'rr_jobs_jobs_ok')[0]?.value === 1;
    }, 5000, 'jobs_ok counted');
    const families = await (metrics.find((m) => m.name === 'jobs') as MetricsCollector).collect();
    const value = (name: string) => samples(families, name)[0]?.value;
    expect([value('rr_jobs_push_ok'), value('rr_jobs_push_err'), value('rr_jobs_jobs_ok')]).toEqual([1, 1, 1]);
    const requests = samples(families, 'rr_jobs_requests_total').map((s) => [s.labels, s.value]);
    expect(requests).toEqual([
      [{ pipeline: 'a', driver: 'mem', type: 'push' }, 1],
      [{ pipeline: 'broken', driver: 'mem', type: 'push' }, 1],
      [{ pipeline: 'a', driver: 'mem', type: 'ok' }, 1],
    ]);
    expect(families.find((f) => f.name === 'rr_jobs_push_latency')?.samples).toHaveLength(1);
  });
});
