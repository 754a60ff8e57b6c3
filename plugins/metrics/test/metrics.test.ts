import type { MetricsCollector } from '@rr/contracts';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { fqName, MetricsRegistry, MetricsServer, parseAddress, renderFamily, workerSourceCollector } from '../src/index.js';
import { parseText, scrape, state } from './helpers.js';

describe('pool metrics from a worker source', () => {
  it('reports RoadRunner’s rr_<plugin>_* families from the process states', async () => {
    const source = { name: 'http', workers: () => [state(10, 'ready', 1000), state(11, 'working', 2000), state(12, 'stopped', 500), state(13, 'ready', 0)] };
    const values = parseText((await workerSourceCollector(source).collect()).map(renderFamily).join(''));
    expect(Object.fromEntries(values)).toEqual({
      rr_http_total_workers: 4,
      rr_http_workers_memory_bytes: 3500,
      'rr_http_worker_state{pid="10",state="ready"}': 0,
      'rr_http_worker_state{pid="11",state="working"}': 0,
      'rr_http_worker_state{pid="12",state="stopped"}': 0,
      'rr_http_worker_state{pid="13",state="ready"}': 0,
      'rr_http_worker_memory_bytes{pid="10"}': 1000,
      'rr_http_worker_memory_bytes{pid="11"}': 2000,
      'rr_http_worker_memory_bytes{pid="12"}': 500,
      'rr_http_worker_memory_bytes{pid="13"}': 0,
      rr_http_workers_ready: 2,
      rr_http_workers_working: 1,
      rr_http_workers_invalid: 1,
    });
  });

  it('reports zeros for a source without workers', async () => {
    const families = await workerSourceCollector({ name: 'jobs', workers: () => [] }).collect();
    expect(families.map((f) => [f.name, f.samples.length])).toEqual([
      ['rr_jobs_total_workers', 1],
      ['rr_jobs_workers_memory_bytes', 1],
      ['rr_jobs_worker_state', 0],
      ['rr_jobs_worker_memory_bytes', 0],
      ['rr_jobs_workers_ready', 1],
      ['rr_jobs_workers_working', 1],
      ['rr_jobs_workers_invalid', 1],
    ]);
  });
});

describe('text exposition', () => {
  it('escapes help and label values, and writes special values', () => {
    expect(renderFamily({ name: 'x', help: 'a\\b\nc', type: 'counter', samples: [{ labels: { l: 'q"\\\n' }, value: Infinity }, { labels: {}, value: NaN }] })).toBe(
      '# HELP x a\\\\b\\nc\n# TYPE x counter\nx{l="q\\"\\\\\\n"} +Inf\nx NaN\n',
    );
  });

  it('writes a histogram family as _bucket/_sum/_count series with le last', () => {
    const text = renderFamily({
      name: 'rr_http_request_duration_seconds',
      help: 'HTTP request duration.',
      type: 'histogram',
      samples: [{ labels: { status: '200' }, buckets: [{ le: 0.005, count: 1 }, { le: 0.01, count: 3 }], sum: 0.021, count: 4 }],
    });
    expect(text).toBe(
      [
        '# HELP rr_http_request_duration_seconds HTTP request duration.',
        '# TYPE rr_http_request_duration_seconds histogram',
        'rr_http_request_duration_seconds_bucket{status="200",le="0.005"} 1',
        'rr_http_request_duration_seconds_bucket{status="200",le="0.01"} 3',
        'rr_http_request_duration_seconds_bucket{status="200",le="+Inf"} 4',
        'rr_http_request_duration_seconds_sum{status="200"} 0.021',
        'rr_http_request_duration_seconds_count{status="200"} 4',
        '',
      ].join('\n'),
    );
  });

  it('builds full names as Prometheus does', () => {
    expect(fqName('app', 'room', 'temp')).toBe('app_room_temp');
    expect(fqName('', 'room', 'temp')).toBe('room_temp');
    expect(fqName('app', '', 'temp')).toBe('app_temp');
    expect(fqName('app', 'room', '')).toBe('');
  });

  it('includes the process collectors, on its own registry', async () => {
    const values = parseText(await new MetricsRegistry([]).render());
    expect(values.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(values.has('process_cpu_seconds_total')).toBe(true);
    expect(values.has('nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('reads collected collectors at every scrape, skipping failures and duplicate names', async () => {
    let n = 0;
    const counting: MetricsCollector = { name: 'kv', collect: () => [{ name: 'rr_kv_calls_total', help: 'calls', type: 'counter', samples: [{ labels: { op: 'get' }, value: ++n }] }] };
    const failing: MetricsCollector = {
      name: 'broken',
      collect: () => Promise.reject(new Error('boom')),
    };
    const clashing: MetricsCollector = { name: 'other', collect: () => [{ name: 'rr_kv_calls_total', help: 'again', type: 'gauge', samples: [] }, { name: 'process_cpu_seconds_total', help: '', type: 'gauge', samples: [] }] };
    const logger = recordingLogger();
    const metrics = new MetricsRegistry([counting, failing, clashing], logger);
    expect(parseText(await metrics.render()).get('rr_kv_calls_total{op="get"}')).toBe(1);
    const text = await metrics.render();
    expect(parseText(text).get('rr_kv_calls_total{op="get"}')).toBe(2);
    expect(text.match(/# TYPE rr_kv_calls_total/g)).toHaveLength(1);
    expect(text.match(/# TYPE process_cpu_seconds_total/g)).toHaveLength(1);
    expect(logger.find('metrics collector failed', 'warn')[0]?.fields).toEqual({ collector: 'broken', error: 'boom' });
    expect(logger.find('duplicate metric family skipped', 'warn').map((l) => l.fields?.metric)).toContain('rr_kv_calls_total');
  });
});

describe('exposition server', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('parses host:port addresses', () => {
    expect(parseAddress('127.0.0.1:2112')).toEqual({ host: '127.0.0.1', port: 2112 });
    expect(parseAddress(':2112')).toEqual({ host: undefined, port: 2112 });
    expect(parseAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
  });

  it('answers on every path with the text format, reflecting RPC updates', async () => {
    const metrics = new MetricsRegistry([]);
    metrics.declare('hits', { type: 'counter', labels: ['route'] });
    metrics.update('Add', 'hits', 3, ['/a']);
    server = new MetricsServer(metrics, recordingLogger());
    const address = await server.listen('127.0.0.1:0');
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    for (const path of ['/metrics', '/', '/anything?x=1']) {
      const res = await scrape(address, path);
      expect(res.status).toBe(200);
      expect(res.type).toContain('text/plain');
      expect(res.values.get('hits{route="/a"}')).toBe(3);
    }
    metrics.update('Add', 'hits', 1, ['/a']);
    expect((await scrape(address)).values.get('hits{route="/a"}')).toBe(4);
  });

  it('fails with LISTEN_FAILED when the address is taken; close is safe twice', async () => {
    const metrics = new MetricsRegistry([]);
    server = new MetricsServer(metrics, recordingLogger());
    const address = await server.listen('127.0.0.1:0');
    const second = new MetricsServer(metrics, recordingLogger());
    await expect(second.listen(address)).rejects.toMatchObject({ code: 'RR_ERR_METRICS_LISTEN_FAILED' });
    await second.close();
    await server.close();
    await server.close();
  });
});
