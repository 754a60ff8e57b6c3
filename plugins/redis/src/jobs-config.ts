import { bool, duration } from '@rr/config';
import { z } from 'zod';
import { redisConfigSchema } from './config.js';

/** Go's rule: 0 means the default (a RoadRunner habit our own duration keys keep). */
const positiveDuration = (fallbackMs: number, minMs: number, what: string) =>
  duration({ bare: 's' })
    .default(fallbackMs)
    .transform((ms) => (ms === 0 ? fallbackMs : ms))
    .pipe(z.number().min(minMs, `at least ${minMs}ms (0 means the default)`))
    .describe(what);

/**
 * `jobs.Declare` passes every option as a string, so the per-pipeline connection may arrive as JSON text;
 * in YAML it is an ordinary mapping.
 */
const connection = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}, redisConfigSchema);

/**
 * Options of a `driver: redis` jobs pipeline (`jobs.pipelines.<name>.config`, or `jobs.Declare`'s string
 * map). RoadRunner has no redis jobs driver, so these keys are rr's own. The core's keys (`priority`,
 * `prefetch` (default 10 for redis), `max_attempts`, `dead_letter`, `retry_delay`) are removed before this
 * schema sees the section.
 */
export const redisJobsConfigSchema = z
  .strictObject({
    stream: z
      .string()
      .default('')
      .describe('The Redis stream that holds the pipeline\'s ready jobs (default rr:jobs:<pipeline>); delayed jobs wait in the sorted set <stream>:delayed, hash-tagged to the stream\'s slot'),
    group: z.string().min(1).default('rr').describe('The consumer group of the stream (default rr); every rr consuming the pipeline joins it, so they share the work'),
    consumer: z
      .string()
      .default('')
      .describe('This rr\'s consumer name in the group (default <hostname>-<pid>); a stable name lets a restarted rr take its own unsettled jobs back at once instead of after visibility_timeout'),
    visibility_timeout: positiveDuration(
      60_000,
      100,
      'How long a delivered job may go without a sign of life from its consumer before another consumer claims it (XAUTOCLAIM): the redelivery delay after a crash. A live rr renews its jobs every third of it, so long jobs are never claimed from it (default 60s; a bare number is seconds)',
    ),
    block_timeout: positiveDuration(
      1000,
      10,
      'Longest wait of one blocking read (XREADGROUP BLOCK); also how often delayed jobs pushed by other rr instances are looked at while idle (default 1s; a bare number is seconds)',
    ),
    delete_stream_on_stop: bool()
      .default(false)
      .describe('jobs.Destroy deletes the stream (with its group) and the delayed set. Never on rr\'s own stop: a shutdown keeps every job'),
    redis: connection
      .optional()
      .describe('This pipeline\'s own Redis connection, with the keys of the root redis section (default: the root redis section); a JSON object in jobs.Declare'),
  })
  .describe('Options of a redis jobs pipeline (Redis streams with a consumer group; rr\'s own keys, RoadRunner has no redis jobs driver)');

/** The resolved options of a redis jobs pipeline. */
export type RedisJobsConfig = z.output<typeof redisJobsConfigSchema>;
/** The options of a redis jobs pipeline as written in YAML. */
export type RedisJobsConfigInput = z.input<typeof redisJobsConfigSchema>;
