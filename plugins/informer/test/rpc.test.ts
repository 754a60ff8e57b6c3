import { CODEC_JSON, CODEC_PROTO, CODEC_RAW, RpcClient, RpcServer } from '@rr/goridge';
import type { RrError } from '@rr/kernel';
import { afterEach, describe, expect, it } from 'vitest';
import { createInformerRpc, Informer } from '../src/index.js';
import { fakeSource, pipeline, pipelineState, state } from './helpers.js';

function endpoint() {
  const http = fakeSource('http', [1, 2]);
  const rpc = createInformerRpc(new Informer([http, fakeSource('jobs', [3], { jobsState: async () => [pipelineState] }), { name: 'service', workers: () => [] }]));
  const call = (method: string, arg: unknown, codec = CODEC_JSON) =>
    // Handlers may throw synchronously; goridge awaits them inside a try either way.
    Promise.resolve().then(() => rpc.methods[method]?.({ method: `informer.${method}`, body: Buffer.from(arg === undefined ? '' : JSON.stringify(arg)), codec }));
  return { rpc, http, call };
}

describe('informer endpoint (no socket)', () => {
  it('is the informer namespace with the five RoadRunner methods', () => {
    const { rpc } = endpoint();
    expect(rpc.namespace).toBe('informer');
    expect(Object.keys(rpc.methods).sort()).toEqual(['AddWorker', 'Jobs', 'List', 'RemoveWorker', 'Workers']);
  });

  it('List ignores its argument', async () => {
    const { call } = endpoint();
    expect(await call('List', true)).toEqual(['http', 'jobs', 'service']);
    expect(await call('List', undefined)).toEqual(['http', 'jobs', 'service']);
  });

  it('Workers wraps the states; an unknown plugin and an empty argument give null', async () => {
    const { call } = endpoint();
    expect(await call('Workers', 'http')).toEqual({ workers: [state(1), state(2)] });
    expect(await call('Workers', 'service')).toEqual({ workers: [] });
    expect(await call('Workers', 'grpc')).toEqual({ workers: null });
    expect(await call('Workers', undefined)).toEqual({ workers: null });
  });

  it('AddWorker answers true; RemoveWorker answers whether one was removed', async () => {
    const { call, http } = endpoint();
    expect(await call('AddWorker', 'http')).toBe(true);
    expect(http.pids).toEqual([1, 2, 3]);
    expect(await call('RemoveWorker', 'http')).toBe(true);
    expect(await call('RemoveWorker', 'http')).toBe(true);
    expect(await call('RemoveWorker', 'http')).toBe(false);
  });

  it.each(['AddWorker', 'RemoveWorker'])('%s refuses a plugin without worker management', async (method) => {
    const { call } = endpoint();
    await expect(call(method, 'service')).rejects.toMatchObject({ code: 'RR_ERR_INFORMER_NO_WORKER_MANAGEMENT' });
    await expect(call(method, 'nope')).rejects.toMatchObject({ code: 'RR_ERR_INFORMER_NO_WORKER_MANAGEMENT' });
  });

  it('Jobs answers pipelines, [] without jobs', async () => {
    const { call } = endpoint();
    expect(await call('Jobs', 'jobs')).toEqual([pipeline]);
    expect(await call('Jobs', 'http')).toEqual([]);
  });

  it.each([
    ['a number', 5, 'expected a plugin name (a JSON string), got number'],
    ['null', null, 'expected a plugin name (a JSON string), got null'],
  ])('refuses %s as plugin name', async (_name, arg, text) => {
    const { call } = endpoint();
    for (const method of ['Workers', 'AddWorker', 'RemoveWorker', 'Jobs']) {
      await expect(call(method, arg)).rejects.toMatchObject({ code: 'RR_ERR_INFORMER_BAD_ARGUMENT', message: `informer.${method}: ${text}` });
    }
  });

  it('refuses a body that is not JSON', async () => {
    const { rpc } = endpoint();
    expect(() => rpc.methods.Workers?.({ method: 'informer.Workers', body: Buffer.from('http'), codec: CODEC_JSON })).toThrow(
      expect.objectContaining({ code: 'RR_ERR_INFORMER_BAD_ARGUMENT' }),
    );
  });

  it.each([
    [CODEC_RAW, 'raw'],
    [CODEC_PROTO, 'protobuf'],
  ])('refuses codec %i on every method', async (codec, name) => {
    const { call } = endpoint();
    for (const method of ['List', 'Workers', 'AddWorker', 'RemoveWorker', 'Jobs']) {
      await expect(call(method, 'http', codec)).rejects.toMatchObject({ code: 'RR_ERR_INFORMER_UNSUPPORTED_CODEC', message: `informer.${method} takes the JSON codec, got ${name}` });
    }
  });
});

describe('informer over goridge RPC', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  async function connect() {
    server = new RpcServer().register(endpoint().rpc);
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
    return client;
  }

  it('sends the JSON PHP WorkerPool and rr workers decode', async () => {
    const c = await connect();
    expect(await c.call('informer.List', true)).toEqual(['http', 'jobs', 'service']);
    expect(await c.call('informer.Workers', 'http')).toEqual({ workers: [state(1), state(2)] });
    expect(await c.call('informer.Workers', 'nope')).toEqual({ workers: null });
    expect(await c.call('informer.AddWorker', 'http')).toBe(true);
    expect(await c.call('informer.RemoveWorker', 'http')).toBe(true);
    expect(await c.call('informer.Jobs', 'jobs')).toEqual([pipeline]);
  });

  it('sends errors as "<code>: <message>" with RoadRunner\'s wording inside', async () => {
    const c = await connect();
    const err = (await c.call('informer.AddWorker', 'service').catch((e: unknown) => e)) as RrError;
    expect(err.details.text).toBe('RR_ERR_INFORMER_NO_WORKER_MANAGEMENT: plugin service does not support workers management');
  });
});
