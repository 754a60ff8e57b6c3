import { isRrError } from '@rr/kernel';
import { describe, expect, it } from 'vitest';
import { otelConfigSchema, type OtelConfigInput } from '../src/index.js';
import { resolveSettings, resourceFromEnv } from '../src/runtime.js';

const parse = (input: OtelConfigInput) => otelConfigSchema.parse(input);
const settings = (input: OtelConfigInput, env: Record<string, string> = {}) => resolveSettings(parse(input), env, '2025.1.0');

describe('otel config schema', () => {
  it('fills RoadRunner defaults for an empty section', () => {
    expect(parse({})).toEqual({ exporter: 'otlp', insecure: false, compress: false, headers: {}, resource: {} });
  });

  it.each([
    [{ exporter: 'stdout' }, { exporter: 'stdout' }],
    [{ exporter: 'stderr', insecure: 'true', compress: 1 }, { exporter: 'stderr', insecure: true, compress: true }],
    [{ client: 'grpc', endpoint: 'collector:4317' }, { client: 'grpc', endpoint: 'collector:4317' }],
    [{ endpoint: 'http://collector:4318' }, { endpoint: 'http://collector:4318' }],
    [{ custom_url: 'https://collector.example/otlp/v1/traces' }, { custom_url: 'https://collector.example/otlp/v1/traces' }],
    [{ custom_url: '/custom/traces' }, { custom_url: '/custom/traces' }],
    [{ headers: { 'X-Api-Key': 'k', 'X-Num': 2 } }, { headers: { 'X-Api-Key': 'k', 'X-Num': '2' } }],
    [
      { resource: { service_name: 'shop', service_version: '2.0.0', service_namespace: 'prod', service_instance_id: 'i-1' } },
      { resource: { service_name: 'shop', service_version: '2.0.0', service_namespace: 'prod', service_instance_id: 'i-1' } },
    ],
    [{ service_name: 'old', service_version: '0.1' }, { service_name: 'old', service_version: '0.1' }],
    [{ exporter: 'zipkin' }, { exporter: 'zipkin' }],
  ] as [OtelConfigInput, Record<string, unknown>][])('accepts %j', (input, expected) => {
    expect(parse(input)).toMatchObject(expected);
  });

  it.each([
    [{ exporter: 'kafka' }, 'exporter', 'invalid_value'],
    [{ exporter: 'jaeger_agent' }, 'exporter', 'invalid_value'],
    [{ client: 'udp' }, 'client', 'invalid_value'],
    [{ endpoint: '' }, 'endpoint', 'custom'],
    [{ endpoint: 'a b:4318' }, 'endpoint', 'custom'],
    [{ custom_url: 'collector/v1/traces' }, 'custom_url', 'custom'],
    [{ custom_url: 'ftp://collector/v1/traces' }, 'custom_url', 'custom'],
    [{ insecure: 'maybe' }, 'insecure', 'invalid_type'],
    [{ headers: { 'Bad Name': 'x' } }, 'headers.Bad Name', 'custom'],
    [{ headers: { 'X-A': 'a\r\nb' } }, 'headers.X-A', 'custom'],
    [{ resource: { service: 'x' } }, 'resource', 'unrecognized_keys'],
    [{ sampler: 'always' }, '', 'unrecognized_keys'],
  ] as [Record<string, unknown>, string, string][])('rejects %j at %s', (input, path, code) => {
    const result = otelConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    const issues = result.error?.issues ?? [];
    expect(issues.map((i) => [i.path.join('.'), i.code])).toContainEqual([path, code]);
  });
});

describe('resolveSettings', () => {
  it('defaults to OTLP/HTTP protobuf over TLS to 127.0.0.1:4318, as RoadRunner (insecure: false)', () => {
    expect(settings({})).toMatchObject({ exporter: 'otlp', client: 'http', encoding: 'protobuf', url: 'https://127.0.0.1:4318/v1/traces', compression: 'none', warnings: [] });
    expect(settings({ insecure: true }).url).toBe('http://127.0.0.1:4318/v1/traces');
    expect(settings({ client: 'grpc', insecure: true }).url).toBe('http://127.0.0.1:4317');
    expect(settings({ client: 'grpc' }).url).toBe('https://127.0.0.1:4317');
  });

  it('builds the URL from endpoint and custom_url', () => {
    expect(settings({ endpoint: 'collector:4318', insecure: true }).url).toBe('http://collector:4318/v1/traces');
    expect(settings({ endpoint: 'https://collector:4318' }).url).toBe('https://collector:4318/v1/traces');
    expect(settings({ endpoint: 'collector:4318', custom_url: '/otlp/traces' }).url).toBe('https://collector:4318/otlp/traces');
    expect(settings({ endpoint: 'ignored:1', custom_url: 'http://x.test:9/p' }).url).toBe('http://x.test:9/p');
    expect(settings({ client: 'grpc', endpoint: 'collector:4317', insecure: true }).url).toBe('http://collector:4317');
  });

  it('falls back to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT when endpoint is unset', () => {
    expect(settings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318' }).url).toBe('http://env:4318/v1/traces');
    expect(settings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/x' }).url).toBe('http://t:1/x');
    expect(settings({ endpoint: 'cfg:4318', insecure: true }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318' }).url).toBe('http://cfg:4318/v1/traces');
    expect(settings({ client: 'grpc' }, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4317' }).url).toBe('http://env:4317');
  });

  it('takes the client from OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL, when client is unset', () => {
    expect(settings({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ client: 'grpc', url: 'https://127.0.0.1:4317' });
    expect(settings({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toMatchObject({ client: 'http', encoding: 'protobuf' });
    expect(settings({}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' })).toMatchObject({ client: 'http', encoding: 'json' });
    expect(settings({ client: 'http' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ client: 'http', encoding: 'json' });
    expect(settings({ client: 'http' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ client: 'http', encoding: 'protobuf' });
    expect(settings({ client: 'grpc' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toMatchObject({ client: 'grpc', encoding: 'protobuf' });
  });

  it('warns about an unknown protocol, a custom_url with grpc and the deprecated top-level keys', () => {
    expect(settings({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }).warnings).toEqual([
      { code: 'RR_WARN_OTEL_UNKNOWN_PROTOCOL', message: expect.any(String), fields: expect.objectContaining({ 'env.name': 'OTEL_EXPORTER_OTLP_PROTOCOL', 'env.value': 'thrift' }) },
    ]);
    expect(settings({ client: 'grpc', custom_url: '/x' }).warnings.map((w) => w.code)).toEqual(['RR_WARN_OTEL_CUSTOM_URL_IGNORED']);
    const deprecated = settings({ service_name: 'old', service_version: '0.9' });
    expect(deprecated.warnings.map((w) => w.code)).toEqual(['RR_DEP_OTEL_001', 'RR_DEP_OTEL_002']);
    expect(deprecated.resource).toMatchObject({ 'service.name': 'old', 'service.version': '0.9' });
  });

  it('refuses the deprecated zipkin and jaeger exporters with a coded error', () => {
    for (const exporter of ['zipkin', 'jaeger'] as const) {
      let caught: unknown;
      try {
        settings({ exporter });
      } catch (err) {
        caught = err;
      }
      expect(isRrError(caught, 'RR_ERR_OTEL_EXPORTER_DEPRECATED')).toBe(true);
      expect((caught as Error).message).toContain(exporter);
    }
  });

  it('keeps headers and compression', () => {
    expect(settings({ headers: { 'X-Key': 'v' }, compress: true })).toMatchObject({ headers: { 'X-Key': 'v' }, compression: 'gzip' });
  });

  it('resolves the resource: config, then deprecated keys, then OTEL_* env, then RoadRunner defaults', () => {
    const plain = settings({}).resource;
    expect(plain).toMatchObject({
      'service.name': 'RoadRunner',
      'service.version': '1.0.0',
      'service.instance.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'service.namespace': expect.stringMatching(/^RoadRunner-[0-9a-f-]{36}$/),
      'webengine.name': 'RoadRunner',
      'webengine.version': '2025.1.0',
      'host.arch': expect.any(String),
      'os.name': expect.any(String),
    });
    const env = { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,service.version=3.0,deployment.environment=prod%20eu,service.namespace=ns', OTEL_SERVICE_NAME: 'from-env' };
    expect(settings({}, env).resource).toMatchObject({ 'service.name': 'from-env', 'service.version': '3.0', 'service.namespace': 'ns', 'deployment.environment': 'prod eu' });
    expect(settings({ service_name: 'deprecated' }, env).resource['service.name']).toBe('deprecated');
    expect(settings({ service_name: 'deprecated', resource: { service_name: 'own', service_instance_id: 'i-1' } }, env).resource).toMatchObject({
      'service.name': 'own',
      'service.instance.id': 'i-1',
    });
  });

  it('parses OTEL_RESOURCE_ATTRIBUTES leniently', () => {
    expect(resourceFromEnv({ OTEL_RESOURCE_ATTRIBUTES: ' a = 1 ,broken,=x,b=%zz,c=' })).toEqual({ a: '1', b: '%zz', c: '' });
    expect(resourceFromEnv({})).toEqual({});
  });
});
