import {
  jobsDriversRef,
  loggerRef,
  metricsCollectorsRef,
  poolFactoryRef,
  resettablesRef,
  rpcEndpointsRef,
  statusSourcesRef,
  tracerRef,
  workerSourcesRef,
  type WorkerPool,
} from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { jobsConfigSchema, type JobsConfig } from './config.js';
import { jobsErrors } from './errors.js';
import { JobsCore } from './jobs.js';
import { JobsMetrics } from './metrics.js';
import { DriverRegistry, resolvePipeline, summarize, type PipelineIssue, type ResolvedPipeline } from './resolve.js';
import { createJobsRpc } from './rpc.js';

/**
 * The `jobs` plugin: pipelines over the collected drivers (`jobsDriversRef`), consumed by PHP workers of
 * its own pool (RR_MODE=jobs), and RoadRunner's `jobs` RPC service. Runs when the `jobs` section exists.
 *
 * - init validates every pipeline (one aggregated error) and opens them, paused, so jobs.Push works as
 *   soon as init returns;
 * - serve creates the pool and starts consuming the `consume` pipelines;
 * - stop drains gracefully (see `JobsCore.stop`).
 *
 * Tracing: when the otel plugin provides `tracerRef`, each pushed job is a PRODUCER span
 * `<pipeline> publish` whose context is stored in the job's headers (`traceparent`…), and each delivery
 * a CONSUMER span `<pipeline> process` continuing it, whose context PHP receives in the job's headers.
 * Without a tracer no span is created and headers are not copied.
 *
 * @throws RR_ERR_JOBS_CONFIG_INVALID, RR_ERR_JOBS_DUPLICATE_DRIVER, RR_ERR_JOBS_OPEN_FAILED (init);
 * RR_ERR_JOBS_STOP_FAILED (stop).
 */
export const jobsPlugin: Plugin = definePlugin({
  id: 'jobs',
  kernel: '^1.0.0',
  config: { schema: jobsConfigSchema },
  needs: { logger: loggerRef, poolFactory: poolFactoryRef },
  optional: { tracer: tracerRef },
  collects: { drivers: jobsDriversRef },
  provides: {
    rpc: rpcEndpointsRef,
    workers: workerSourcesRef,
    resettable: resettablesRef,
    status: statusSourcesRef,
    metrics: metricsCollectorsRef,
  },
  async init({ config, needs, optional, collected }) {
    const log = needs.logger.named('jobs');
    const drivers = new DriverRegistry(collected.drivers);
    const resolved = await resolveAll(config, drivers);
    // RoadRunner lets `consume` name a pipeline that jobs.Declare creates later; it is consumed from then on.
    for (const name of config.consume.filter((n) => config.pipelines[n] === undefined)) {
      log.warn('jobs.consume names a pipeline that is not configured; it is consumed once declared', { pipeline: name });
    }
    const metrics = new JobsMetrics();
    const core = new JobsCore(config, drivers, log, metrics, optional.tracer);
    await core.open(resolved);
    const started = (): WorkerPool => {
      if (core.pool === undefined) throw jobsErrors.STOPPING();
      return core.pool;
    };
    const starting = { code: 503, message: 'the jobs pool is starting' };
    return {
      provides: {
        rpc: createJobsRpc(core, log),
        workers: {
          name: 'jobs',
          workers: () => core.pool?.workers() ?? [],
          addWorker: () => started().addWorker(),
          removeWorker: () => started().removeWorker(),
          jobsState: () => core.states(),
        },
        resettable: { name: 'jobs', reset: async () => core.pool?.reset() },
        status: {
          name: 'jobs',
          health: () => (core.pool === undefined ? starting : core.pool.workers().length > 0 ? { code: 200, message: '' } : { code: 503, message: 'no workers in the jobs pool' }),
          ready: () => (core.pool === undefined ? starting : core.pool.isReady() ? { code: 200, message: '' } : { code: 503, message: 'the jobs pool cannot take a job now' }),
          pipelines: () => core.states(),
        },
        metrics,
      },
      async serve() {
        // The pool is created here, not in init: rpc serves first, so a worker calling RPC at boot reaches it.
        const pool = await needs.poolFactory.newPool({ name: 'jobs', mode: 'jobs', config: config.pool, logger: log });
        await core.start(pool);
        log.info('jobs consuming', { pipelines: config.consume });
      },
      stop: ({ signal }) => core.stop(signal),
    };
  },
});

/**
 * Resolves every configured pipeline, collecting every issue first.
 *
 * @throws RR_ERR_JOBS_CONFIG_INVALID listing each issue with its dotted path (`details.issues`).
 */
async function resolveAll(config: JobsConfig, drivers: DriverRegistry): Promise<ResolvedPipeline[]> {
  const issues: PipelineIssue[] = [];
  const resolved: ResolvedPipeline[] = [];
  const names = new Set(Object.keys(config.pipelines));
  for (const [name, spec] of Object.entries(config.pipelines)) {
    const base = `jobs.pipelines.${name}`;
    const result = await resolvePipeline(name, spec.driver, spec.config ?? {}, drivers, { driver: `${base}.driver`, options: `${base}.config` });
    if (!result.ok) {
      issues.push(...result.issues);
      continue;
    }
    const deadLetter = result.pipeline.options.dead_letter;
    const dlPath = `${base}.config.dead_letter`;
    if (deadLetter === name) issues.push(issue(jobsErrors.DEAD_LETTER_SELF(name), dlPath));
    else if (deadLetter !== undefined && !names.has(deadLetter)) issues.push(issue(jobsErrors.UNKNOWN_DEAD_LETTER(name, deadLetter), dlPath));
    resolved.push(result.pipeline);
  }
  if (issues.length > 0) throw jobsErrors.CONFIG_INVALID(summarize(issues), { plugin: 'jobs', details: { issues } });
  return resolved;
}

function issue(err: { code: string; message: string }, path: string): PipelineIssue {
  return { path, code: err.code, message: err.message };
}
