import { bool, duration, int } from '@rr/config';
import { z } from 'zod';

const DEFAULT_ADDR = 'nats://127.0.0.1:4222';

/** RoadRunner's InitDefaults turns an empty string into the default, so `subject: ""` keeps meaning `default`. */
const orDefault = (fallback: string) => (value: string) => (value.trim() === '' ? fallback : value.trim());

/**
 * The root `nats` section: how rr reaches the NATS server. RoadRunner's only global key is `addr`; every
 * pipeline with `driver: nats` opens its own connection to it.
 */
export const natsConfigSchema = z
  .strictObject({
    addr: z
      .string()
      .default(DEFAULT_ADDR)
      .transform(orDefault(DEFAULT_ADDR))
      .describe('NATS server URL (nats://host:port, or several separated by commas, as nats.go accepts). Default nats://127.0.0.1:4222'),
    timeout: duration()
      .default(10_000)
      .transform((ms) => (ms === 0 ? 10_000 : ms))
      .describe(
        'rr extension: the longest a connection attempt or a JetStream request (publish ack, ack, stream/consumer calls) may take before it ' +
          'fails with RR_ERR_NATS_UNAVAILABLE. A push while the connection is down fails at once. Default 10s',
      ),
  })
  .describe('The nats jobs driver: the NATS server (with JetStream) of every pipeline with driver nats');

/** The resolved root `nats` section. */
export type NatsConfig = z.output<typeof natsConfigSchema>;
/** The root `nats` section as written in YAML. */
export type NatsConfigInput = z.input<typeof natsConfigSchema>;

// A stream name becomes a subject token of the delay stream and a JetStream API subject token.
const streamName = z
  .string()
  .transform(orDefault('default-stream'))
  .pipe(z.string().regex(/^[^.*>\s/\\]+$/, 'a stream name cannot contain ".", "*", ">", "/", "\\" or whitespace'));

// Jobs are published to this subject, so it must be concrete (RoadRunner publishes to it too).
const subjectName = z
  .string()
  .transform(orDefault('default'))
  .pipe(z.string().regex(/^[^.*>\s]+(\.[^.*>\s]+)*$/, 'a subject to publish to: dot-separated tokens without wildcards (*, >) or whitespace'));

/**
 * Options of one nats pipeline (`jobs.pipelines.<name>.config`), RoadRunner's keys and defaults. The core's
 * `priority` and `prefetch` are removed by the jobs plugin before this schema sees the section; `prefetch`
 * becomes the consumer's max_ack_pending. Every value may be a string (jobs.Declare sends strings).
 */
export const natsJobsConfigSchema = z
  .strictObject({
    subject: subjectName.default('default').describe('Subject the jobs are published to and consumed from (default "default")'),
    stream: streamName
      .default('default-stream')
      .describe('JetStream stream holding the jobs; created when missing, the subject added when the stream lacks it (default "default-stream")'),
    rate_limit: int({ min: 0 })
      .default(1000)
      .describe('Accepted for RoadRunner compatibility and ignored: RoadRunner never applies it, and JetStream pull consumers have no rate limit'),
    deliver_new: bool()
      .default(false)
      .describe('A consumer created for the pipeline starts with the jobs published after its creation, not the whole stream (deliver policy new)'),
    delete_after_ack: bool()
      .default(false)
      .describe('Delete each job from the stream once acked (or nacked without requeue); otherwise acked jobs stay until the stream limits drop them'),
    delete_stream_on_stop: bool()
      .default(false)
      .describe('jobs.Destroy deletes the stream and its delay stream (rr never deletes on a plain stop: data survives restarts)'),
    ack_wait: duration({ bare: 's' })
      .default(30_000)
      .transform((ms) => (ms === 0 ? 30_000 : ms))
      .describe(
        'How long a delivered job may stay unacked before JetStream redelivers it, e.g. after rr died (a bare number is seconds, as jobs.Declare ' +
          'sends it). rr keeps jobs it holds alive with progress acks, so a long job is not redelivered. Default 30s',
      ),
  })
  .describe('Options of a nats jobs pipeline (JetStream)');

/** The resolved options of a nats pipeline. */
export type NatsJobsConfig = z.output<typeof natsJobsConfigSchema>;
/** The options of a nats pipeline as written in YAML or sent by jobs.Declare. */
export type NatsJobsConfigInput = z.input<typeof natsJobsConfigSchema>;
