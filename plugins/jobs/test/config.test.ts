import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { jobsConfigSchema, jobsPlugin } from '../src/index.js';
import { newWorld, testDriverPlugin } from './helpers/driver.js';
import { startFailure } from './helpers/start.js';
import { testServerPlugin } from './helpers/server-plugin.js';

describe('jobs config', () => {
  it('has RoadRunner defaults', () => {
    const c = jobsConfigSchema.parse({});
    expect(c).toMatchObject({ timeout: 60_000, pipeline_size: 1_000_000, options: { parallelism: 10 }, consume: [], pipelines: {} });
    expect(c.pool.allocate_timeout).toBe(60_000);
  });

  it('reads timeout as seconds when bare, and parallelism 0 as 5', () => {
    expect(jobsConfigSchema.parse({ timeout: 5, options: { parallelism: 0 } })).toMatchObject({ timeout: 5000, options: { parallelism: 5 } });
    expect(jobsConfigSchema.parse({ timeout: '1m' }).timeout).toBe(60_000);
  });

  it('is disabled without a jobs section', async () => {
    const t = await startTestKernel({ plugins: [testServerPlugin(['true']), testDriverPlugin(newWorld()), jobsPlugin], config: {} });
    try {
      expect(t.kernel.report().find((r) => r.id === 'jobs')?.state).toBe('disabled');
    } finally {
      await t.stop();
    }
  });

  it('rejects unknown keys of the section with a path', async () => {
    const err = await startFailure({ pipelines: {}, bogus: 1 });
    expect(JSON.stringify(err)).toContain('jobs.bogus');
  });

  it('reports every pipeline problem at once, with dotted paths and codes', async () => {
    const err = await startFailure({
      pipelines: {
        nodriver: { config: {} },
        wrong: { driver: 'amqp' },
        badcore: { driver: 'mem', config: { prefetch: 0, max_attempts: -1 } },
        badown: { driver: 'mem', config: { nope: true } },
        selfdl: { driver: 'mem', config: { dead_letter: 'selfdl' } },
        lostdl: { driver: 'mem', config: { dead_letter: 'nowhere' } },
      },
    });
    const inner = (err.cause ?? err) as { code: string; details: { issues: { path: string; code: string }[] } };
    expect(inner.code).toBe('RR_ERR_JOBS_CONFIG_INVALID');
    expect(inner.details.issues.map((i) => [i.path, i.code])).toEqual([
      ['jobs.pipelines.nodriver.driver', 'RR_ERR_JOBS_MISSING_DRIVER'],
      ['jobs.pipelines.wrong.driver', 'RR_ERR_JOBS_UNKNOWN_DRIVER'],
      ['jobs.pipelines.badcore.config.prefetch', 'RR_ERR_CONFIG_TOO_SMALL'],
      ['jobs.pipelines.badcore.config.max_attempts', 'RR_ERR_CONFIG_TOO_SMALL'],
      ['jobs.pipelines.badown.config.nope', 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS'],
      ['jobs.pipelines.selfdl.config.dead_letter', 'RR_ERR_JOBS_DEAD_LETTER_SELF'],
      ['jobs.pipelines.lostdl.config.dead_letter', 'RR_ERR_JOBS_UNKNOWN_DEAD_LETTER'],
    ]);
  });

  it('hands the driver its own options only, with prefetch defaulted by the driver and priority by the core', async () => {
    const world = newWorld();
    const t = await startTestKernel({
      plugins: [testServerPlugin(['php', '-r', 'exit(1);']), testDriverPlugin(world), jobsPlugin],
      config: { jobs: { pool: { num_workers: 0 }, pipelines: { a: { driver: 'mem', config: { queue: 'qa', max_attempts: 2 } }, b: { driver: 'mem', config: { priority: '3', prefetch: '7' } } } } },
    }).catch((e: unknown) => e);
    // The pool cannot start (the worker exits), which is fine: pipelines were opened at init.
    if (!(t instanceof Error)) await (t as { stop(): Promise<void> }).stop();
    expect(world.opened).toEqual([
      { pipeline: 'a', prefetch: 1000, priority: 10, config: { queue: 'qa', fail_push: false } },
      { pipeline: 'b', prefetch: 7, priority: 3, config: { fail_push: false } },
    ]);
  });
});
