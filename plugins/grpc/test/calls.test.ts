import * as grpc from '@grpc/grpc-js';
import { metricsCollectorsRef, type MetricsCollector } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRpcStatus } from '../src/rpc-status.js';
import { echoClient, type AnyMethod, type DynClient, healthClient, reflectionClient, startGrpc, unary, type RunningGrpc } from './helpers/grpc.js';

const seen: { metrics?: readonly MetricsCollector[] } = {};
const probe = definePlugin({
  id: 'probe',
  kernel: '^1.0.0',
  collects: { metrics: metricsCollectorsRef },
  init: ({ collected }) => {
    seen.metrics = collected.metrics;
    return {};
  },
});

let rr: RunningGrpc;
let client: DynClient;
beforeAll(async () => {
  rr = await startGrpc({ max_recv_msg_size: '64K' }, [probe]);
  client = echoClient(rr.address);
});
afterAll(async () => {
  client?.close();
  await rr?.stop();
});

type SayReply = { text: string; auth_type: string };

describe('unary calls through a PHP worker', () => {
  it('round-trips the message bytes and metadata both ways', async () => {
    const md = new grpc.Metadata();
    md.set('x-echo', 'from the client');
    const { reply, headers, trailers } = await unary<SayReply>(client, 'Say', { text: 'grpc' }, md);
    expect(reply).toEqual({ text: 'hello grpc', auth_type: '' });
    expect(headers.get('x-echo')).toEqual(['from the client']);
    expect(trailers.get('x-said')).toEqual(['grpc']);
  });

  it('maps a GRPCException to its status code, message and details', async () => {
    const err = (await unary(client, 'Fail', { code: grpc.status.NOT_FOUND, message: 'no such thing' }).catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err).toMatchObject({ code: grpc.status.NOT_FOUND, details: 'no such thing' });
    const details = err.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = decodeRpcStatus(details);
    expect(status).toMatchObject({ code: grpc.status.NOT_FOUND, message: 'no such thing' });
    expect(status.details).toHaveLength(1);
    expect((status.details[0] as Buffer).toString('latin1')).toContain('type.googleapis.com/test.SayReply');
  });

  it.each([
    [grpc.status.PERMISSION_DENIED, 'denied'],
    [grpc.status.INVALID_ARGUMENT, 'bad input'],
    [grpc.status.UNAVAILABLE, 'try later'],
  ])('maps code %i', async (code, message) => {
    await expect(unary(client, 'Fail', { code, message })).rejects.toMatchObject({ code, details: message });
  });

  it('maps any other PHP exception to INTERNAL with its message', async () => {
    await expect(unary(client, 'Fail', { plain: true, message: 'kaboom' })).rejects.toMatchObject({ code: grpc.status.INTERNAL, details: 'kaboom' });
  });

  it('refuses a request above max_recv_msg_size with RESOURCE_EXHAUSTED', async () => {
    await expect(unary(client, 'Say', { text: 'x'.repeat(70 * 1024) })).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    // The refusal happens in rr; the worker is still there.
    await expect(unary<SayReply>(client, 'Say', { text: 'after' })).resolves.toMatchObject({ reply: { text: 'hello after' } });
  });

  it('counts calls in rr_grpc_request_total by method and code', async () => {
    const families = await (seen.metrics?.find((m) => m.name === 'grpc') as MetricsCollector).collect();
    const total = families.find((f) => f.name === 'rr_grpc_request_total');
    expect(total?.samples).toEqual(
      expect.arrayContaining([
        { labels: { grpc_method: '/test.Echo/Say', grpc_code: 'OK' }, value: expect.any(Number) },
        { labels: { grpc_method: '/test.Echo/Fail', grpc_code: 'INTERNAL' }, value: 1 },
      ]),
    );
  });
});

describe('server streaming', () => {
  const collect = (request: object, cancelAfter?: number) =>
    new Promise<{ items: number[]; headers?: grpc.Metadata; status?: grpc.StatusObject; error?: grpc.ServiceError }>((resolve) => {
      const items: number[] = [];
      const out: { items: number[]; headers?: grpc.Metadata; status?: grpc.StatusObject; error?: grpc.ServiceError } = { items };
      const call = (client['Count'] as AnyMethod).call(client, request) as grpc.ClientReadableStream<{ i: number }>;
      call.on('metadata', (md) => (out.headers = md));
      call.on('data', (m: { i: number }) => {
        items.push(m.i);
        if (items.length === cancelAfter) call.cancel();
      });
      call.on('error', (e: grpc.ServiceError) => (out.error = e));
      call.on('status', (s) => {
        out.status = s;
        resolve(out);
      });
    });

  it('streams every message the generator yields, with headers and trailers', async () => {
    const r = await collect({ n: 5 });
    expect(r.items).toEqual([1, 2, 3, 4, 5]);
    expect(r.headers?.get('x-count')).toEqual(['5']);
    expect(r.status).toMatchObject({ code: grpc.status.OK });
    expect(r.status?.metadata.get('x-sent')).toEqual(['5']);
  });

  it('ends an empty stream with OK', async () => {
    const r = await collect({ n: 0 });
    expect(r.items).toEqual([]);
    expect(r.status?.code).toBe(grpc.status.OK);
  });

  it('stops the PHP generator when the client cancels, freeing the worker', async () => {
    const started = Date.now();
    const r = await collect({ n: 10_000, delay_ms: 5 }, 3);
    expect(r.error?.code).toBe(grpc.status.CANCELLED);
    expect(r.items.length).toBeGreaterThanOrEqual(3);
    // One worker: this call only gets through once the cancelled stream released it.
    await expect(unary<SayReply>(client, 'Say', { text: 'next' })).resolves.toMatchObject({ reply: { text: 'hello next' } });
    expect(Date.now() - started).toBeLessThan(10_000 * 5);
  });
});

describe('health and reflection', () => {
  it('reports SERVING for the server and each service, NOT_FOUND for unknown ones', async () => {
    const health = healthClient(rr.address);
    try {
      await expect(unary(health, 'Check', { service: '' })).resolves.toMatchObject({ reply: { status: 'SERVING' } });
      await expect(unary(health, 'Check', { service: 'test.Echo' })).resolves.toMatchObject({ reply: { status: 'SERVING' } });
      await expect(unary(health, 'Check', { service: 'no.Such' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      health.close();
    }
  });

  it('lists the services and serves their descriptors', async () => {
    const reflection = reflectionClient(rr.address);
    try {
      const ask = (request: object) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          const call = (reflection['ServerReflectionInfo'] as AnyMethod).call(reflection) as grpc.ClientDuplexStream<object, Record<string, unknown>>;
          call.on('data', (m: Record<string, unknown>) => {
            resolve(m);
            call.end();
          });
          call.on('error', reject);
          call.write(request);
        });
      const list = (await ask({ list_services: '' })) as { list_services_response: { service: { name: string }[] } };
      expect(list.list_services_response.service.map((s) => s.name)).toEqual(expect.arrayContaining(['test.Echo']));
      const file = (await ask({ file_containing_symbol: 'test.Echo' })) as { file_descriptor_response: { file_descriptor_proto: Buffer[] } };
      expect(Buffer.concat(file.file_descriptor_response.file_descriptor_proto).toString('latin1')).toContain('SayRequest');
    } finally {
      reflection.close();
    }
  });
});
