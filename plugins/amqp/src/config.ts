import { bool, clientTls, duration } from '@rr/config';
import { z } from 'zod';

/** RoadRunner's default broker address (amqpjobs `InitDefault`). */
export const DEFAULT_ADDR = 'amqp://guest:guest@127.0.0.1:5672/';
const DEFAULT_REDIAL_MS = 60_000;

const tlsSchema = clientTls('TLS files for an amqps:// addr (the scheme decides whether TLS is used, as in RoadRunner)');

/**
 * The root `amqp` section: RoadRunner's global AMQP connection, used by every jobs pipeline with
 * `driver: amqp`. Nothing connects until a pipeline opens.
 */
export const amqpConfigSchema = z
  .strictObject({
    addr: z
      .string()
      .regex(/^amqps?:\/\//, 'an AMQP URI: amqp://user:password@host:port/vhost (or amqps://)')
      .default(DEFAULT_ADDR)
      .describe('Broker URI, amqp:// or amqps:// (https://www.rabbitmq.com/uri-spec.html); default amqp://guest:guest@127.0.0.1:5672/'),
    tls: tlsSchema.optional(),
  })
  .describe('The amqp jobs driver (RabbitMQ): the connection shared by every pipeline with driver amqp');

/** The resolved `amqp` section. */
export type AmqpConfig = z.output<typeof amqpConfigSchema>;
/** The `amqp` section as written in YAML. */
export type AmqpConfigInput = z.input<typeof amqpConfigSchema>;

const queueHeadersHelp = 'queue_headers must be a map (or, from jobs.Declare, a JSON object string)';

/** `jobs.Declare` sends every option as a string, so a map arrives as JSON text (RoadRunner unmarshals it too). */
const queueHeaders = z
  .unknown()
  .optional()
  .transform((input, ctx): Record<string, unknown> => {
    let value = input;
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) return {};
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        // reported below
      }
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    ctx.addIssue({ code: 'custom', input, message: queueHeadersHelp });
    return z.NEVER;
  })
  .meta({ anyOf: [{ type: 'object' }, { type: 'string' }] });

/**
 * Options of one pipeline with `driver: amqp` (`jobs.pipelines.<name>.config`): RoadRunner's keys and
 * defaults (amqpjobs `config.go`). `priority` and `prefetch` (default 10) are the jobs core's keys and are
 * removed before this schema sees the section.
 */
export const amqpPipelineConfigSchema = z
  .strictObject({
    queue: z.string().default('').describe('Queue to declare, bind and consume; empty = a push-only pipeline (it cannot be resumed)'),
    exchange: z.string().default('amqp.default').describe('Exchange to declare and publish to (default amqp.default; "" = the default exchange, routing by queue name)'),
    // The official PHP client's ExchangeType::Topics sends "topics"; RabbitMQ only knows "topic".
    exchange_type: z
      .preprocess((v) => (v === 'topics' ? 'topic' : v), z.enum(['direct', 'fanout', 'topic', 'headers']))
      .default('direct')
      .describe('Exchange type (`topics`, as the official PHP client sends it, means `topic`)'),
    routing_key: z.string().default('').describe('Routing key of pushes and of the queue binding; required unless exchange_type is fanout or headers'),
    redial_timeout: duration({ bare: 's' })
      .default(DEFAULT_REDIAL_MS)
      .transform((ms) => (ms === 0 ? DEFAULT_REDIAL_MS : ms))
      .describe('How long to keep reconnecting after the broker went away before giving up (default 60s; a bare number is seconds; 0 = 60s)'),
    durable: bool().default(false).describe('Declare the queue durable (survives a broker restart; messages are published persistent)'),
    exchange_durable: bool().default(false).describe('Declare the exchange durable'),
    exchange_auto_delete: bool().default(false).describe('Declare the exchange auto-delete (removed when its last queue is unbound)'),
    queue_auto_delete: bool().default(false).describe('Declare the queue auto-delete (removed when its last consumer goes)'),
    exclusive: bool().default(false).describe('Declare the queue exclusive to the connection (it dies with the connection)'),
    delete_queue_on_stop: bool()
      .default(false)
      .describe('Delete the queue (and the delay queues this pipeline used) on jobs.Destroy; a plain rr stop keeps it so unfinished jobs survive'),
    multiple_ack: bool().default(false).describe('Ack with multiple=true: one ack also settles every earlier delivery on the channel'),
    requeue_on_fail: bool().default(false).describe('A nack without an explicit requeue flag gives the job back to the queue instead of dropping it'),
    consumer_id: z.string().default('').describe('Consumer tag (default roadrunner-<uuid>)'),
    queue_headers: queueHeaders.describe('Queue arguments, e.g. x-dead-letter-exchange, x-message-ttl, x-max-priority (a JSON object string from jobs.Declare)'),
    consume_all: bool().default(false).describe('Accepted for RoadRunner compatibility and ignored (RoadRunner does not read it either)'),
  })
  .superRefine((c, ctx) => {
    if (c.routing_key === '' && c.exchange_type !== 'fanout' && c.exchange_type !== 'headers' && c.exchange !== '') {
      ctx.addIssue({ code: 'custom', path: ['routing_key'], message: `routing_key is required for a ${c.exchange_type} exchange` });
    }
  })
  .describe('Options of a jobs pipeline on RabbitMQ (driver amqp)');

/** The resolved options of one amqp pipeline. */
export type AmqpPipelineConfig = z.output<typeof amqpPipelineConfigSchema>;
/** The options of one amqp pipeline as written in YAML (or sent by jobs.Declare). */
export type AmqpPipelineConfigInput = z.input<typeof amqpPipelineConfigSchema>;
