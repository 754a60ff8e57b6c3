import { httpMiddlewaresRef, tracerRef, type HttpMiddleware, type Tracer } from '@rr/contracts';
import { definePlugin, isRrError, type RrError } from '@rr/kernel';
import { requestRaw, serveMiddleware, startTestKernel } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import otelDefault, { otelConfigSchema, otelPlugin } from '../src/index.js';
import { startHttpCollector, type Collector } from './collectors.js';

/** Stands in for the http/jobs plugins: takes the tracer as they do (optional) and collects middlewares. */
function consumerProbe() {
  const seen: { tracer: Tracer | undefined; middlewares: readonly HttpMiddleware[] } = { tracer: undefined, middlewares: [] };
  const plugin = definePlugin({
    id: 'probe',
    kernel: '^1.0.0',
    optional: { tracer: tracerRef },
    collects: { middlewares: httpMiddlewaresRef },
    init({ optional, collected }) {
      seen.tracer = optional.tracer;
      seen.middlewares = collected.middlewares;
      return { provides: {} };
    },
  });
  return { plugin, seen };
}

describe('otel plugin', () => {
  let collector: Collector | undefined;
  afterEach(async () => {
    await collector?.close();
    collector = undefined;
  });

  it('is the default and the named export, with id otel', () => {
    expect(otelDefault).toBe(otelPlugin);
    expect(otelPlugin.id).toBe('otel');
  });

  it("is disabled without an 'otel' section: no tracer, no middleware", async () => {
    const probe = consumerProbe();
    const t = await startTestKernel({ plugins: [otelPlugin, probe.plugin], config: { http: { address: '127.0.0.1:0' } } });
    try {
      expect(t.kernel.report().find((p) => p.id === 'otel')).toMatchObject({ state: 'disabled', reason: "no 'otel' section" });
      expect(probe.seen.tracer).toBeUndefined();
      expect(probe.seen.middlewares).toEqual([]);
    } finally {
      await t.stop();
    }
  });

  it('rejects an invalid section with the kernel code and dotted paths', async () => {
    const err = (await startTestKernel({
      plugins: [otelPlugin],
      config: { otel: { exporter: 'kafka', client: 'udp', endpoint: '', insecure: 'maybe', headers: { 'Bad Name': 'x' }, resource: { service: 'x' }, extra: 1 } },
    }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    expect((err.details.issues as { path: string; code: string }[]).map((i) => [i.path, i.code]).sort()).toEqual([
      ['otel.client', 'RR_ERR_CONFIG_INVALID_VALUE'],
      ['otel.endpoint', 'RR_ERR_CONFIG_CUSTOM'],
      ['otel.exporter', 'RR_ERR_CONFIG_INVALID_VALUE'],
      ['otel.extra', 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS'],
      ['otel.headers.Bad Name', 'RR_ERR_CONFIG_CUSTOM'],
      ['otel.insecure', 'RR_ERR_CONFIG_INVALID_TYPE'],
      ['otel.resource.service', 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS'],
    ]);
  });

  it.each(['zipkin', 'jaeger'])('fails init with RR_ERR_OTEL_EXPORTER_DEPRECATED for exporter %s', async (exporter) => {
    const err = await startTestKernel({ plugins: [otelPlugin], config: { otel: { exporter } } }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect((err as Error).cause).toMatchObject({ code: 'RR_ERR_OTEL_EXPORTER_DEPRECATED' });
  });

  it('is enabled by an empty section (`otel:` reads as null) with RoadRunner defaults', async () => {
    const probe = consumerProbe();
    const t = await startTestKernel({ plugins: [otelPlugin, probe.plugin], config: { otel: null } });
    try {
      expect(t.kernel.report().find((p) => p.id === 'otel')?.state).not.toBe('disabled');
      expect(typeof probe.seen.tracer?.startSpan).toBe('function');
      expect(probe.seen.middlewares.map((m) => m.name)).toEqual(['otel']);
      expect(otelConfigSchema.parse({})).toMatchObject({ exporter: 'otlp', insecure: false });
    } finally {
      await t.stop();
    }
  });

  it('logs the deprecated top-level service_name/service_version with their codes', async () => {
    collector = await startHttpCollector();
    const t = await startTestKernel({
      plugins: [otelPlugin],
      config: { otel: { insecure: true, endpoint: `127.0.0.1:${collector.port}`, service_name: 'legacy', service_version: '0.1.0' } },
    });
    try {
      expect(t.logger.find(/service_name is deprecated/)[0]?.fields).toMatchObject({ code: 'RR_DEP_OTEL_001' });
      expect(t.logger.find(/service_version is deprecated/)[0]?.fields).toMatchObject({ code: 'RR_DEP_OTEL_002' });
    } finally {
      await t.stop();
    }
  });

  it('exports the tracer\'s and the middleware\'s spans to the collector, and flushes everything on stop', async () => {
    collector = await startHttpCollector();
    const probe = consumerProbe();
    const t = await startTestKernel({
      plugins: [otelPlugin, probe.plugin],
      config: { otel: { insecure: true, endpoint: `127.0.0.1:${collector.port}`, resource: { service_name: 'kernel-test' } } },
    });
    let stopped = false;
    try {
      const tracer = probe.seen.tracer as Tracer;
      const middleware = probe.seen.middlewares[0] as HttpMiddleware;
      const http = await serveMiddleware(middleware, (req, res) => {
        const exec = tracer.startSpan('exec php', { parent: req.headers });
        exec.end();
        res.end('done');
      });
      try {
        expect((await requestRaw(http.port, { path: '/hello' })).status).toBe(200);
      } finally {
        await http.close();
      }
      // Ended right before stop: only the flush in stop() can deliver these.
      for (let i = 0; i < 10; i++) tracer.startSpan(`late-${i}`, { kind: 'producer' }).end();
      await t.stop();
      stopped = true;
      const spans = collector.spans();
      const names = spans.map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['GET /hello', 'exec php', ...Array.from({ length: 10 }, (_, i) => `late-${i}`)]));
      const server = spans.find((s) => s.name === 'GET /hello');
      expect(spans.find((s) => s.name === 'exec php')?.parentSpanId).toBe(server?.spanId);
      expect(server?.resource['service.name']).toBe('kernel-test');
      expect(server?.resource['webengine.name']).toBe('RoadRunner');
    } finally {
      if (!stopped) await t.stop();
    }
  });
});
