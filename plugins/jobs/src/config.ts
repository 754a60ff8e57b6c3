import { duration, int } from '@rr/config';
import { poolConfigSchema } from '@rr/contracts';
import { z } from 'zod';

/** Default of `max_attempts`; see README "Attempts and dead letters" for why 5. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/**
 * The keys of a pipeline's options that the core reads (RoadRunner's common `priority` and `prefetch`,
 * and rr's `max_attempts`, `dead_letter`, `retry_delay`). They are removed before the driver validates
 * the rest, so every driver schema can stay strict.
 */
export const pipelineOptionsSchema = z.object({
  priority: int({ min: 0 }).default(10).describe('Priority of the pipeline\'s jobs (lower runs first); a job pushed with priority 0 takes it'),
  prefetch: int({ min: 1 }).optional().describe('Most jobs delivered and not yet settled at once (default: the driver\'s, e.g. 100000 for memory)'),
  max_attempts: int({ min: 0 })
    .default(DEFAULT_MAX_ATTEMPTS)
    .describe('rr extension: failed attempts (worker crash, timeout, error frame, or a NACK with requeue) before the job goes to dead_letter or is dropped; 0 = unlimited, as RoadRunner'),
  dead_letter: z.string().min(1).optional().describe('rr extension: the pipeline that receives jobs which used up max_attempts (they are dropped with an error log line when unset)'),
  retry_delay: duration({ bare: 's' })
    .default(1000)
    .describe('rr extension: delay before retrying a failed attempt, doubled each attempt up to 5m (default 1s; 0 = at once)'),
});

/** The core's keys of a pipeline's options, resolved. */
export type PipelineOptions = z.output<typeof pipelineOptionsSchema>;

/** The names of the core's keys, removed from what the driver sees. */
export const CORE_OPTION_KEYS: readonly string[] = Object.keys(pipelineOptionsSchema.shape);

/**
 * One `jobs.pipelines.<name>`. `driver` is required but checked at init (with every pipeline's issues in
 * one error); `config` stays opaque here: the core reads its own keys, the driver validates the rest.
 */
export const pipelineConfigSchema = z
  .strictObject({
    driver: z.string().optional().describe('The driver that carries this pipeline: memory, amqp, nats, redis, boltdb … (required; its plugin must be in the build)'),
    config: z
      .record(z.string(), z.unknown())
      .nullish()
      .describe('Pipeline options: the common priority, prefetch, max_attempts, dead_letter, retry_delay, plus the driver\'s own keys'),
  })
  .meta({ required: ['driver'] })
  .describe('A pipeline: a driver and its options');

/** The `jobs` section (RoadRunner's jobs plugin). Its presence enables the plugin. */
export const jobsConfigSchema = z
  .strictObject({
    num_pollers: int({ min: 0 }).optional().describe('Deprecated in RoadRunner and ignored: jobs are dispatched to as many workers as the pool has'),
    timeout: duration({ bare: 's' })
      .default(60_000)
      .describe('Time allowed for push, pause, resume, declare, destroy and each pipeline\'s stop; also bounds the drain of running jobs at shutdown (seconds, or a duration; default 60)'),
    pipeline_size: int({ min: 1 })
      .default(1_000_000)
      .describe('Capacity of the in-process priority queue between the drivers and the workers; drivers wait while it is full'),
    options: z
      .strictObject({
        parallelism: int({ min: 0 })
          .default(10)
          .transform((n) => (n === 0 ? 5 : n))
          .describe('Pipelines started or stopped at once (default 10; 0 means 5, as RoadRunner)'),
      })
      .prefault({})
      .describe('Plugin options'),
    consume: z.array(z.string().min(1)).default([]).describe('Pipelines consumed from start; the others are declared but paused until jobs.Resume'),
    pool: poolConfigSchema.prefault({}).describe('The jobs worker pool (RR_MODE=jobs)'),
    pipelines: z.record(z.string().min(1), pipelineConfigSchema).default({}).describe('Pipelines by name'),
  })
  .describe('Queues consumed by PHP workers (RoadRunner jobs)');

/** The resolved `jobs` section. */
export type JobsConfig = z.output<typeof jobsConfigSchema>;
/** The `jobs` section as written in YAML. */
export type JobsConfigInput = z.input<typeof jobsConfigSchema>;
