import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { metricsConfigSchema, metricsPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: {} })).sections.metrics;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [metricsPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

const defaults = { help: '', namespace: '', subsystem: '', labels: [], buckets: [], objectives: {} };

describe('metrics config: accepted', () => {
  it.each([
    ['no keys: RoadRunner’s default address', 'metrics: {}', { address: '127.0.0.1:2112', collect: {} }],
    ['an empty section', 'metrics:', { address: '127.0.0.1:2112', collect: {} }],
    ['port 0', 'metrics: { address: "127.0.0.1:0" }', { address: '127.0.0.1:0' }],
    ['every interface', 'metrics: { address: ":2112" }', { address: ':2112' }],
    ['IPv6', 'metrics: { address: "[::1]:2112" }', { address: '[::1]:2112' }],
    ['a counter with defaults', 'metrics: { collect: { hits: { type: counter } } }', { collect: { hits: { type: 'counter', ...defaults } } }],
    [
      'a gauge with labels and names',
      'metrics: { collect: { temp: { type: gauge, help: "Temperature", namespace: app, subsystem: room, labels: [floor, side] } } }',
      { collect: { temp: { ...defaults, type: 'gauge', help: 'Temperature', namespace: 'app', subsystem: 'room', labels: ['floor', 'side'] } } },
    ],
    ['a histogram with buckets', 'metrics: { collect: { latency: { type: histogram, buckets: [0.1, 0.5, 1] } } }', { collect: { latency: { ...defaults, type: 'histogram', buckets: [0.1, 0.5, 1] } } }],
    ['a summary with objectives as RoadRunner writes them', 'metrics:\n  collect:\n    size:\n      type: summary\n      objectives:\n        - 0.5: 0.05\n        - 0.9: 0.01', { collect: { size: { ...defaults, type: 'summary', objectives: [{ '0.5': 0.05 }, { '0.9': 0.01 }] } } }],
    ['a summary with objectives as a map', 'metrics: { collect: { size: { type: summary, objectives: { 0.99: 0.001 } } } }', { collect: { size: { ...defaults, type: 'summary', objectives: { '0.99': 0.001 } } } }],
  ])('%s', async (_name, yaml, expected) => {
    expect(metricsConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });
});

describe('metrics config: rejected', () => {
  it.each([
    ['an invalid type', 'metrics: { collect: { hits: { type: meter } } }', [{ path: 'metrics.collect.hits.type', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['a missing type', 'metrics: { collect: { hits: { help: x } } }', [{ path: 'metrics.collect.hits.type', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['an address without port', 'metrics: { address: "127.0.0.1" }', [{ path: 'metrics.address', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a bucket that is not a number', 'metrics: { collect: { l: { type: histogram, buckets: [fast] } } }', [{ path: 'metrics.collect.l.buckets.0', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an unknown key', 'metrics: { listen: "127.0.0.1:2112" }', [{ path: 'metrics.listen', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['an unknown collector key', 'metrics: { collect: { hits: { type: counter, unit: s } } }', [{ path: 'metrics.collect.hits.unit', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
