import { CODEC_JSON, CODEC_PROTO, CODEC_RAW, RpcClient, RpcServer } from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsRpc, MetricsRegistry } from '../src/index.js';
import { caller, parseText } from './helpers.js';

function endpoint() {
  const metrics = new MetricsRegistry([]);
  metrics.declare('hits', { type: 'counter' });
  metrics.declare('hits_by', { type: 'counter', labels: ['route', 'code'] });
  metrics.declare('temp', { type: 'gauge', namespace: 'app' });
  metrics.declare('temp_by', { type: 'gauge', labels: ['room'] });
  metrics.declare('latency', { type: 'histogram', buckets: [0.1, 1] });
  metrics.declare('latency_by', { type: 'histogram', labels: ['route'], buckets: [1] });
  metrics.declare('size', { type: 'summary', objectives: { '0.5': 0.05 } });
  const rpc = createMetricsRpc(metrics);
  const values = async () => parseText(await metrics.render());
  return { rpc, metrics, call: caller(rpc), values };
}

describe('metrics endpoint (no socket)', () => {
  it('is the metrics namespace with the six RoadRunner methods', () => {
    const { rpc } = endpoint();
    expect(rpc.namespace).toBe('metrics');
    expect(Object.keys(rpc.methods).sort()).toEqual(['Add', 'Declare', 'Observe', 'Set', 'Sub', 'Unregister']);
  });

  it('Add increments counters and gauges, unlabelled and labelled', async () => {
    const { call, values } = endpoint();
    expect(await call('Add', { name: 'hits', value: 2 })).toBe(true);
    expect(await call('Add', { name: 'hits', value: 0.5, labels: [] })).toBe(true);
    expect(await call('Add', { name: 'hits_by', value: 3, labels: ['/a', '200'] })).toBe(true);
    expect(await call('Add', { name: 'temp', value: 4 })).toBe(true);
    const v = await values();
    expect(v.get('hits')).toBe(2.5);
    expect(v.get('hits_by{code="200",route="/a"}')).toBe(3);
    expect(v.get('app_temp')).toBe(4);
  });

  it('Sub and Set change gauges', async () => {
    const { call, values } = endpoint();
    expect(await call('Set', { name: 'temp', value: 20 })).toBe(true);
    expect(await call('Sub', { name: 'temp', value: 5 })).toBe(true);
    expect(await call('Set', { name: 'temp_by', value: 7, labels: ['kitchen'] })).toBe(true);
    expect(await call('Sub', { name: 'temp_by', value: 2, labels: ['kitchen'] })).toBe(true);
    const v = await values();
    expect(v.get('app_temp')).toBe(15);
    expect(v.get('temp_by{room="kitchen"}')).toBe(5);
  });

  it('Observe feeds histograms and summaries', async () => {
    const { call, values } = endpoint();
    expect(await call('Observe', { name: 'latency', value: 0.05 })).toBe(true);
    expect(await call('Observe', { name: 'latency', value: 0.5 })).toBe(true);
    expect(await call('Observe', { name: 'latency_by', value: 2, labels: ['/x'] })).toBe(true);
    expect(await call('Observe', { name: 'size', value: 10 })).toBe(true);
    const v = await values();
    expect(v.get('latency_bucket{le="0.1"}')).toBe(1);
    expect(v.get('latency_bucket{le="1"}')).toBe(2);
    expect(v.get('latency_count')).toBe(2);
    expect(v.get('latency_sum')).toBeCloseTo(0.55);
    expect(v.get('latency_by_bucket{le="1",route="/x"}')).toBe(0);
    expect(v.get('latency_by_bucket{le="+Inf",route="/x"}')).toBe(1);
    expect(v.get('size{quantile="0.5"}')).toBe(10);
    expect(v.get('size_count')).toBe(1);
  });

  it('matches JSON keys case-insensitively, as Go does', async () => {
    const { call, values } = endpoint();
    expect(await call('Add', { Name: 'hits_by', VALUE: 1, Labels: ['/b', '500'] })).toBe(true);
    expect(await call('Declare', { NAME: 'jobs', Collector: { Type: 'gauge', Help: 'Jobs', Namespace: 'app' } })).toBe(true);
    expect(await call('Set', { name: 'jobs', value: 9 })).toBe(true);
    const v = await values();
    expect(v.get('hits_by{code="500",route="/b"}')).toBe(1);
    expect(v.get('app_jobs')).toBe(9);
  });

  it.each(['Add', 'Sub', 'Observe', 'Set'])('%s refuses an undefined collector', async (method) => {
    const { call } = endpoint();
    await expect(call(method, { name: 'nope', value: 1 })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_UNDEFINED_COLLECTOR', message: 'undefined collector nope' });
  });

  it('a labelled collector requires its labels, in the declared number', async () => {
    const { call } = endpoint();
    await expect(call('Add', { name: 'hits_by', value: 1 })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_REQUIRED_LABELS', message: 'required labels for collector hits_by' });
    await expect(call('Set', { name: 'temp_by', value: 1, labels: [] })).rejects.toMatchObject({ message: 'required labels for collector temp_by' });
    await expect(call('Add', { name: 'hits_by', value: 1, labels: ['/a'] })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_LABEL_CARDINALITY' });
  });

  it('an unlabelled collector ignores labels, as RoadRunner does', async () => {
    const { call, values } = endpoint();
    expect(await call('Add', { name: 'hits', value: 1, labels: ['x'] })).toBe(true);
    expect((await values()).get('hits')).toBe(1);
  });

  it.each([
    ['Sub', 'hits', 'counter'],
    ['Set', 'hits', 'counter'],
    ['Observe', 'hits', 'counter'],
    ['Observe', 'temp', 'gauge'],
    ['Add', 'latency', 'histogram'],
    ['Set', 'size', 'summary'],
  ])('%s on %s refuses an unsupported operation', async (method, name, type) => {
    const { call } = endpoint();
    await expect(call(method, { name, value: 1 })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_UNSUPPORTED_OPERATION', message: `collector ${name} (${type}) does not support method ${method}` });
  });

  it('a counter cannot decrease', async () => {
    const { call } = endpoint();
    await expect(call('Add', { name: 'hits', value: -1 })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_COUNTER_DECREASE' });
  });

  it('Declare creates each type; declaring an existing name answers true and changes nothing', async () => {
    const { call, values } = endpoint();
    for (const type of ['counter', 'gauge', 'histogram', 'summary']) {
      expect(await call('Declare', { name: `new_${type}`, collector: { type, help: `a ${type}`, labels: ['l'] } })).toBe(true);
    }
    expect(await call('Set', { name: 'new_gauge', value: 3, labels: ['x'] })).toBe(true);
    expect(await call('Declare', { name: 'new_gauge', collector: { type: 'counter' } })).toBe(true);
    expect(await call('Declare', { name: 'new_gauge', collector: { type: 'counter' } })).toBe(true);
    expect(await call('Set', { name: 'new_gauge', value: 4, labels: ['x'] })).toBe(true);
    expect((await values()).get('new_gauge{l="x"}')).toBe(4);
  });

  it('Declare refuses an unknown type, a missing collector and a clashing full name', async () => {
    const { call } = endpoint();
    await expect(call('Declare', { name: 'm', collector: { type: 'meter' } })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_INVALID_COLLECTOR', message: 'invalid collector m: unknown collector type "meter"' });
    await expect(call('Declare', { name: 'm' })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_BAD_ARGUMENT', message: 'metrics.Declare: collector is required' });
    await expect(call('Declare', { name: 'bad-name', collector: { type: 'gauge' } })).rejects.toMatchObject({ code: 'RR_ERR_METRICS_INVALID_COLLECTOR' });
    // "app_temp" is the full name of "temp" (namespace app).
    await expect(call('Declare', { name: 'app_temp', collector: { type: 'gauge' } })).rejects.toMatchObject({
      code: 'RR_ERR_METRICS_ALREADY_REGISTERED',
      message: expect.stringContaining('tried to register existing collector'),
    });
  });

  it('Unregister answers whether a collector was removed; it is then undefined', async () => {
    const { call, values } = endpoint();
    await call('Add', { name: 'hits', value: 1 });
    expect(await call('Unregister', 'hits')).toBe(true);
    expect(await call('Unregister', 'hits')).toBe(false);
    expect((await values()).has('hits')).toBe(false);
    await expect(call('Add', { name: 'hits', value: 1 })).rejects.toMatchObject({ message: 'undefined collector hits' });
    expect(await call('Declare', { name: 'hits', collector: { type: 'gauge' } })).toBe(true);
  });

  it.each([
    ['Add', 5, 'metrics.Add: expected a JSON object, got number'],
    ['Add', { name: 'hits', value: '1' }, 'metrics.Add: value must be a number, got string'],
    ['Add', { value: 1 }, 'metrics.Add: name must be a non-empty string, got nothing'],
    ['Set', { name: 'temp_by', value: 1, labels: [1] }, 'metrics.Set: labels must be a list of strings'],
    ['Unregister', 5, 'metrics.Unregister: expected a collector name (a JSON string), got number'],
    ['Declare', { name: 'x', collector: { type: 'histogram', buckets: ['a'] } }, 'metrics.Declare: collector.buckets must be a list of numbers'],
  ])('%s refuses a bad argument (%j)', async (method, arg, message) => {
    const { call } = endpoint();
    await expect(call(method, arg)).rejects.toMatchObject({ code: 'RR_ERR_METRICS_BAD_ARGUMENT', message });
  });

  it('refuses a body that is not JSON, and other codecs', async () => {
    const { rpc } = endpoint();
    expect(() => rpc.methods.Add?.({ method: 'metrics.Add', body: Buffer.from('{'), codec: CODEC_JSON })).toThrow(expect.objectContaining({ code: 'RR_ERR_METRICS_BAD_ARGUMENT' }));
    for (const [codec, name] of [
      [CODEC_RAW, 'raw'],
      [CODEC_PROTO, 'protobuf'],
    ] as const) {
      for (const method of Object.keys(rpc.methods)) {
        expect(() => rpc.methods[method]?.({ method: `metrics.${method}`, body: Buffer.from('"x"'), codec })).toThrow(
          expect.objectContaining({ code: 'RR_ERR_METRICS_UNSUPPORTED_CODEC', message: `metrics.${method} takes the JSON codec, got ${name}` }),
        );
      }
    }
  });
});

describe('metrics over goridge RPC', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('answers as the PHP client sees it, errors as "<code>: <message>"', async () => {
    const { rpc, values } = endpoint();
    server = new RpcServer().register(rpc);
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
    expect(await client.call('metrics.Declare', { name: 'php', collector: { type: 'counter', labels: ['a'] } })).toBe(true);
    expect(await client.call('metrics.Add', { name: 'php', value: 2, labels: ['b'] })).toBe(true);
    expect((await values()).get('php{a="b"}')).toBe(2);
    await expect(client.call('metrics.Add', { name: 'nope', value: 1 })).rejects.toThrow('RR_ERR_METRICS_UNDEFINED_COLLECTOR: undefined collector nope');
    await expect(client.call('metrics.Add', { name: 'php', value: 1 })).rejects.toThrow('required labels for collector php');
  });
});
