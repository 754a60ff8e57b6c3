import { isRrError } from '@rr/errors';
import { afterAll, describe, expect, it } from 'vitest';
import { packHeaders, redactAddr, takeRoutingKey, unpackMessage } from '../src/wire.js';
import { RR_HEADERS, UNKNOWN_JOB } from '../src/index.js';
import { bytes, message, Names, onFreshChannel, openPipeline, until, withAdmin } from './helpers.js';
import type { MessageProperties } from 'amqplib';

const props = (headers: Record<string, unknown>, extra: Partial<MessageProperties> = {}) => ({ headers, ...extra }) as MessageProperties;

describe('amqp wire format (RoadRunner amqpjobs pack/unpack)', () => {
  it('packs a job into the rr_* headers with RoadRunner types', () => {
    const m = message({ id: 'id-1', job: 'App\\Job', priority: 3, autoAck: true });
    expect(packHeaders(m, 'emails', { a: ['1', '2'] }, 1500)).toEqual({
      rr_id: 'id-1',
      rr_job: 'App\\Job',
      rr_pipeline: 'emails',
      rr_headers: Buffer.from('{"a":["1","2"]}'),
      // int64 on the wire: RoadRunner asserts int64 when it reads rr_priority.
      rr_delay: { '!': 'long', value: 2 },
      rr_priority: { '!': 'long', value: 3 },
      rr_auto_ack: true,
    });
  });

  it('unpacks what RoadRunner publishes, and falls back like RoadRunner for foreign messages', () => {
    const fromRr = unpackMessage(
      props({ rr_id: 'x', rr_job: 'J', rr_headers: Buffer.from('{"h":["v"],"nil":null}'), rr_priority: 7, rr_delay: 5, rr_auto_ack: false, rr_pipeline: 'p' }),
      10,
    );
    expect(fromRr).toEqual({ id: 'x', job: 'J', headers: { h: ['v'], nil: [] }, priority: 7, delayMs: 5000, autoAck: false, badHeaders: false });
    // Go marshals a nil header map as null.
    expect(unpackMessage(props({ rr_id: 'x', rr_headers: Buffer.from('null') }), 10).headers).toEqual({});

    const foreign = unpackMessage(props({ tenant: 'a', n: 5, flag: true, list: ['x', 2], raw: Buffer.from('b') }, { messageId: 'm-1' }), 10);
    expect(foreign).toMatchObject({ id: 'm-1', job: UNKNOWN_JOB, priority: 10, autoAck: false, badHeaders: false });
    expect(foreign.headers).toEqual({ tenant: ['a'], n: ['5'], flag: ['true'], list: ['x', '2'], raw: ['b'] });
    expect(unpackMessage(props({}), 4).id).toMatch(/^[0-9a-f-]{36}$/);

    const broken = unpackMessage(props({ rr_id: 'x', rr_headers: 'not json', other: 'o' }), 10);
    expect(broken).toMatchObject({ badHeaders: true, headers: { other: ['o'] } });
  });

  it('takes x-routing-key out of the headers as RoadRunner does', () => {
    expect(takeRoutingKey({ 'x-routing-key': ['rk'], a: ['1'] })).toEqual({ headers: { a: ['1'] }, routingKey: 'rk' });
    expect(takeRoutingKey({ 'x-routing-key': ['a', 'b'] })).toEqual({ headers: {}, routingKey: undefined });
    expect(takeRoutingKey({ a: ['1'] }).routingKey).toBeUndefined();
  });

  it('never shows a password', () => {
    expect(redactAddr('amqp://user:s3cr:et@host:5672/vh')).toBe('amqp://user:***@host:5672/vh');
    expect(redactAddr('amqps://host/')).toBe('amqps://host/');
  });
});

describe('amqp wire format on the broker', () => {
  const names = new Names();
  afterAll(() => names.cleanup());

  it('publishes persistent messages with the rr_* headers, readable by any AMQP client', async () => {
    const cfg = names.next();
    const { pipeline } = await openPipeline({ ...cfg, durable: true }, { name: 'emails' });
    try {
      const sent = message({ payload: bytes('{"x":1}'), headers: { a: ['1'] }, priority: 3, autoAck: true });
      await pipeline.push([sent]);
      const got = await withAdmin(async (conn) => {
        const ch = await conn.createChannel();
        const msg = await ch.get(cfg.queue, { noAck: true });
        await ch.close();
        return msg;
      });
      if (got === false) throw new Error('no message in the queue');
      expect(got.properties).toMatchObject({ deliveryMode: 2, contentType: 'application/octet-stream', messageId: sent.id });
      expect(got.content.toString()).toBe('{"x":1}');
      const h = got.properties.headers as Record<string, unknown>;
      expect(h).toMatchObject({ rr_id: sent.id, rr_job: sent.job, rr_pipeline: 'emails', rr_priority: 3, rr_delay: 0, rr_auto_ack: true });
      expect(JSON.parse((h[RR_HEADERS.headers] as Buffer).toString())).toEqual({ a: ['1'] });
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('consumes a job published by RoadRunner, and a foreign message', async () => {
    const cfg = names.next();
    const { pipeline, nth } = await openPipeline(cfg);
    try {
      await withAdmin(async (conn) => {
        const ch = await conn.createConfirmChannel();
        ch.publish(cfg.exchange, cfg.routing_key, Buffer.from('rr'), {
          persistent: true,
          headers: {
            rr_id: 'from-rr',
            rr_job: 'App\\FromRr',
            rr_pipeline: 'other',
            rr_headers: Buffer.from('{"k":["v"]}'),
            rr_delay: { '!': 'long', value: 0 },
            rr_priority: { '!': 'long', value: 4 },
            rr_auto_ack: false,
          },
        });
        ch.publish(cfg.exchange, cfg.routing_key, Buffer.from('foreign'), { messageId: 'm-7', headers: { tenant: 'acme' } });
        await ch.waitForConfirms();
        await ch.close();
      });
      await pipeline.resume();
      const [a, b] = [await nth(1), await nth(2)];
      expect(a).toMatchObject({ id: 'from-rr', job: 'App\\FromRr', headers: { k: ['v'] }, priority: 4, autoAck: false, pipeline: 'test', queue: cfg.queue });
      expect(Buffer.from(a.payload).toString()).toBe('rr');
      expect(b).toMatchObject({ id: 'm-7', job: UNKNOWN_JOB, headers: { tenant: ['acme'] }, priority: 10 });
      await Promise.all([a.ack(), b.ack()]);
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it('routes by a per-job x-routing-key, and rejects a push that no queue takes', async () => {
    const cfg = names.next();
    const other = `${cfg.queue}-other`;
    names.queues.add(other);
    const { pipeline } = await openPipeline(cfg);
    const producer = await openPipeline({ exchange: cfg.exchange, routing_key: 'nobody-listens' });
    try {
      await withAdmin((conn) =>
        onFreshChannel(conn, async (ch) => {
          await ch.assertQueue(other);
          await ch.bindQueue(other, cfg.exchange, 'other-key');
        }),
      );
      await pipeline.push([message({ headers: { 'x-routing-key': ['other-key'], keep: ['1'] } })]);
      const got = await withAdmin(async (conn) => {
        const ch = await conn.createChannel();
        const msg = await ch.get(other, { noAck: true });
        await ch.close();
        return msg;
      });
      if (got === false) throw new Error('not routed by x-routing-key');
      expect(JSON.parse((got.properties.headers?.rr_headers as Buffer).toString())).toEqual({ keep: ['1'] });

      const error = await producer.pipeline.push([message()]).catch((e: unknown) => e);
      expect(isRrError(error, 'RR_ERR_AMQP_UNROUTABLE')).toBe(true);
      await expect(producer.pipeline.resume()).rejects.toMatchObject({ code: 'RR_ERR_AMQP_NO_QUEUE' });
      expect((await producer.pipeline.stat()).queue).toBe('');
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
      await producer.pipeline.stop(AbortSignal.timeout(2000));
    }
  });

  it("delays through RoadRunner's TTL queues: delayed-<ms>.<exchange>.<queue> on push, into the queue itself on requeue", async () => {
    const cfg = names.next();
    const { pipeline, nth } = await openPipeline({ ...cfg, delete_queue_on_stop: true });
    const count = (name: string) =>
      withAdmin(async (conn) => {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        const n = await ch.checkQueue(name).then((q) => q.messageCount, () => -1);
        await ch.close().catch(() => undefined);
        return n;
      });
    try {
      await pipeline.push([message({ delayMs: 60_000 })]);
      expect(await count(`delayed-60000.${cfg.exchange}.${cfg.queue}`)).toBe(1);
      await pipeline.push([message()]);
      await pipeline.resume();
      await (await nth(1)).requeue({ delayMs: 30_000 });
      expect(await count(`delayed-30000..${cfg.queue}`)).toBe(1);
      await until(async () => (await pipeline.stat()).delayed === 2, 2000, 'both delay queues counted');
      await pipeline.destroy(AbortSignal.timeout(2000));
      // destroy with delete_queue_on_stop removes the queue and the delay queues it used.
      expect(await count(`delayed-60000.${cfg.exchange}.${cfg.queue}`)).toBe(-1);
      expect(await count(`delayed-30000..${cfg.queue}`)).toBe(-1);
      expect(await count(cfg.queue)).toBe(-1);
    } finally {
      await pipeline.stop(AbortSignal.timeout(2000));
    }
  });
});
