import { issuesFromZod } from '@rr/config';
import { describe, expect, it } from 'vitest';
import { amqpConfigSchema, amqpPipelineConfigSchema } from '../src/index.js';

const issues = (schema: typeof amqpConfigSchema | typeof amqpPipelineConfigSchema, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : issuesFromZod(result.error).map(({ path, code }) => ({ path, code }));
};

describe('amqp root section', () => {
  it("defaults to RoadRunner's address", () => {
    expect(amqpConfigSchema.parse({})).toEqual({ addr: 'amqp://guest:guest@127.0.0.1:5672/' });
  });

  it('takes amqps with TLS files, and refuses a cert without its key or another scheme', () => {
    expect(amqpConfigSchema.parse({ addr: 'amqps://u:p@mq:5671/vh', tls: { cert: 'c.pem', key: 'k.pem', root_ca: 'ca.pem', client_auth_type: 'no_client_certs' } })).toMatchObject({
      tls: { cert: 'c.pem', key: 'k.pem', root_ca: 'ca.pem' },
    });
    expect(issues(amqpConfigSchema, { tls: { cert: 'c.pem' } })).toEqual([{ path: 'tls.key', code: 'RR_ERR_CONFIG_CUSTOM' }]);
    expect(issues(amqpConfigSchema, { addr: 'tcp://127.0.0.1:5672', port: 1 })).toEqual([
      { path: 'addr', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
      { path: 'port', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
    ]);
  });
});

describe('amqp pipeline options', () => {
  it("fills RoadRunner's defaults", () => {
    expect(amqpPipelineConfigSchema.parse({ queue: 'q', routing_key: 'q' })).toEqual({
      queue: 'q',
      exchange: 'amqp.default',
      exchange_type: 'direct',
      routing_key: 'q',
      redial_timeout: 60_000,
      durable: false,
      exchange_durable: false,
      exchange_auto_delete: false,
      queue_auto_delete: false,
      exclusive: false,
      delete_queue_on_stop: false,
      multiple_ack: false,
      requeue_on_fail: false,
      consumer_id: '',
      queue_headers: {},
      consume_all: false,
    });
  });

  it('takes the strings jobs.Declare sends', () => {
    expect(
      amqpPipelineConfigSchema.parse({
        queue: 'q',
        routing_key: 'q',
        durable: 'true',
        exclusive: 'false',
        redial_timeout: '5',
        queue_headers: '{"x-dead-letter-exchange":"dlx","x-message-ttl":60000}',
      }),
    ).toMatchObject({ durable: true, exclusive: false, redial_timeout: 5000, queue_headers: { 'x-dead-letter-exchange': 'dlx', 'x-message-ttl': 60_000 } });
    expect(amqpPipelineConfigSchema.parse({ queue: 'q', routing_key: 'q', redial_timeout: '1m', queue_headers: '' })).toMatchObject({ redial_timeout: 60_000, queue_headers: {} });
    expect(amqpPipelineConfigSchema.parse({ queue: 'q', routing_key: 'q', redial_timeout: 0 }).redial_timeout).toBe(60_000);
    // The official PHP client's ExchangeType::Topics.
    expect(amqpPipelineConfigSchema.parse({ queue: 'q', routing_key: 'q.*', exchange_type: 'topics' }).exchange_type).toBe('topic');
  });

  it('requires routing_key unless the exchange is fanout, headers or the default exchange', () => {
    expect(issues(amqpPipelineConfigSchema, { queue: 'q' })).toEqual([{ path: 'routing_key', code: 'RR_ERR_CONFIG_CUSTOM' }]);
    expect(issues(amqpPipelineConfigSchema, { queue: 'q', exchange_type: 'topic' })).toEqual([{ path: 'routing_key', code: 'RR_ERR_CONFIG_CUSTOM' }]);
    for (const ok of [{ exchange_type: 'fanout' }, { exchange_type: 'headers' }, { exchange: '' }]) expect(issues(amqpPipelineConfigSchema, { queue: 'q', ...ok })).toEqual([]);
  });

  it('rejects unknown keys, bad types and a queue_headers string that is not a JSON map', () => {
    expect(issues(amqpPipelineConfigSchema, { routing_key: 'k', exchange_type: 'x-delayed', durable: 'yes', queue_headers: '[1]', prefetch_count: 1 })).toEqual([
      { path: 'exchange_type', code: 'RR_ERR_CONFIG_INVALID_VALUE' },
      { path: 'durable', code: 'RR_ERR_CONFIG_INVALID_TYPE' },
      { path: 'queue_headers', code: 'RR_ERR_CONFIG_CUSTOM' },
      { path: 'prefetch_count', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
    ]);
  });
});
