import { randomUUID } from 'node:crypto';
import { arch, platform } from 'node:process';
import {
  ATTR_SERVICE_INSTANCE_ID,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import type { OtelConfig } from './config.js';
import { otelErrors, otelWarnings } from './errors.js';

/** Environment variables, as `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A warning found while resolving the settings, logged by the plugin. */
export interface SettingsWarning {
  code: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** Where and how spans are exported: the `otel` section with RoadRunner's defaults and the OTEL_* environment applied. */
export interface OtelSettings {
  exporter: 'otlp' | 'stdout' | 'stderr';
  /** OTLP transport (only with exporter otlp). */
  client: 'http' | 'grpc';
  /** OTLP/HTTP body encoding: protobuf as Go's otlptracehttp sends, or json (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json). */
  encoding: 'protobuf' | 'json';
  /** The URL spans are sent to: `http(s)://host:port/v1/traces` for http, `http(s)://host:port` for grpc. */
  url: string;
  headers: Readonly<Record<string, string>>;
  compression: 'gzip' | 'none';
  /** Resource attributes every span is reported under. */
  resource: Readonly<Record<string, string>>;
  warnings: readonly SettingsWarning[];
}

const DEFAULT_HTTP_ENDPOINT = '127.0.0.1:4318';
const DEFAULT_GRPC_ENDPOINT = '127.0.0.1:4317';
const TRACES_PATH = '/v1/traces';

function nonEmpty(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text === undefined || text === '' ? undefined : text;
}

/**
 * OTEL_RESOURCE_ATTRIBUTES (`key=value,key2=value2`, values percent-encoded) with OTEL_SERVICE_NAME
 * taking precedence for service.name, as the OpenTelemetry SDKs (and Go's resource.Environment) read them.
 */
export function resourceFromEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const key = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // A stray '%' is kept as written rather than dropping the attribute.
    }
    if (key !== '') out[key] = value;
  }
  const serviceName = nonEmpty(env.OTEL_SERVICE_NAME);
  if (serviceName !== undefined) out[ATTR_SERVICE_NAME] = serviceName;
  return out;
}

// Go's GOARCH spelling, which is also what the host.arch semantic convention lists.
const GO_ARCH: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm: 'arm32', arm64: 'arm64', ppc64: 'ppc64', s390x: 's390x' };

/**
 * The resource RoadRunner reports: the environment's attributes, then service.* from the config (with
 * RoadRunner's fallbacks), os.name, host.arch and webengine.*. telemetry.sdk.* are added by the SDK.
 */
export function resolveResource(config: OtelConfig, env: Env, distributionVersion: string): Record<string, string> {
  const fromEnv = resourceFromEnv(env);
  const pick = (own: string | undefined, deprecated: string | undefined, key: string, fallback: () => string): string =>
    nonEmpty(own) ?? nonEmpty(deprecated) ?? nonEmpty(fromEnv[key]) ?? fallback();
  return {
    ...fromEnv,
    [ATTR_SERVICE_NAME]: pick(config.resource.service_name, config.service_name, ATTR_SERVICE_NAME, () => 'RoadRunner'),
    [ATTR_SERVICE_VERSION]: pick(config.resource.service_version, config.service_version, ATTR_SERVICE_VERSION, () => '1.0.0'),
    [ATTR_SERVICE_INSTANCE_ID]: pick(config.resource.service_instance_id, undefined, ATTR_SERVICE_INSTANCE_ID, () => randomUUID()),
    [ATTR_SERVICE_NAMESPACE]: pick(config.resource.service_namespace, undefined, ATTR_SERVICE_NAMESPACE, () => `RoadRunner-${randomUUID()}`),
    // RoadRunner reports Go's GOOS under os.name; process.platform has the same spelling for linux and darwin.
    'os.name': platform === 'win32' ? 'windows' : platform,
    'host.arch': GO_ARCH[arch] ?? arch,
    'webengine.name': 'RoadRunner',
    'webengine.version': distributionVersion,
  };
}

type Protocol = { client: 'http' | 'grpc'; encoding: 'protobuf' | 'json' } | undefined;

/** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, as RoadRunner reads them. */
function protocolFromEnv(env: Env, warnings: SettingsWarning[]): Protocol {
  let name = 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL';
  let value = nonEmpty(env[name]);
  if (value === undefined) {
    name = 'OTEL_EXPORTER_OTLP_PROTOCOL';
    value = nonEmpty(env[name]);
  }
  switch (value) {
    case undefined:
      return undefined;
    case 'grpc':
      return { client: 'grpc', encoding: 'protobuf' };
    case 'http/protobuf':
      return { client: 'http', encoding: 'protobuf' };
    case 'http/json':
      return { client: 'http', encoding: 'json' };
    default:
      warnings.push({
        code: otelWarnings.UNKNOWN_PROTOCOL,
        message: 'unknown exporter protocol, using http/protobuf',
        fields: { 'env.name': name, 'env.value': value, hint: 'use grpc, http/protobuf or http/json' },
      });
      return undefined;
  }
}

function withScheme(endpoint: string, insecure: boolean): string {
  const text = endpoint.trim().replace(/\/+$/, '');
  return text.includes('://') ? text : `${insecure ? 'http' : 'https'}://${text}`;
}

/**
 * The collector URL. Config wins over the environment, which wins over the defaults:
 * - http: `custom_url` when it is a full URL; else `endpoint` (host:port, TLS unless `insecure`),
 *   then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is), then OTEL_EXPORTER_OTLP_ENDPOINT, then
 *   127.0.0.1:4318; the path is /v1/traces, or `custom_url` when it is a path (RoadRunner hands
 *   custom_url to Go's WithURLPath).
 * - grpc: `endpoint`, then the same environment variables, then 127.0.0.1:4317.
 */
function resolveUrl(config: OtelConfig, client: 'http' | 'grpc', env: Env): string {
  const customUrl = nonEmpty(config.custom_url);
  if (client === 'http' && customUrl !== undefined && !customUrl.startsWith('/')) return customUrl;
  const path = client === 'http' ? (customUrl ?? TRACES_PATH) : '';
  const endpoint = nonEmpty(config.endpoint);
  if (endpoint !== undefined) return `${withScheme(endpoint, config.insecure)}${path}`;
  const tracesEnv = nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (tracesEnv !== undefined) return client === 'http' && customUrl === undefined ? tracesEnv : `${origin(withScheme(tracesEnv, config.insecure))}${path}`;
  const genericEnv = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (genericEnv !== undefined) return `${withScheme(genericEnv, config.insecure)}${path}`;
  return `${withScheme(client === 'http' ? DEFAULT_HTTP_ENDPOINT : DEFAULT_GRPC_ENDPOINT, config.insecure)}${path}`;
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Applies RoadRunner's defaults and the OTEL_* environment to the validated `otel` section.
 *
 * @throws RR_ERR_OTEL_EXPORTER_DEPRECATED for exporter zipkin or jaeger
 */
export function resolveSettings(config: OtelConfig, env: Env, distributionVersion: string): OtelSettings {
  if (config.exporter === 'zipkin' || config.exporter === 'jaeger') throw otelErrors.EXPORTER_DEPRECATED(config.exporter);
  const warnings: SettingsWarning[] = [];
  if (config.service_name !== undefined) {
    warnings.push({ code: otelWarnings.SERVICE_NAME, message: 'otel.service_name is deprecated, use otel.resource.service_name instead' });
  }
  if (config.service_version !== undefined) {
    warnings.push({ code: otelWarnings.SERVICE_VERSION, message: 'otel.service_version is deprecated, use otel.resource.service_version instead' });
  }
  const fromEnv = config.exporter === 'otlp' ? protocolFromEnv(env, warnings) : undefined;
  const client = config.client ?? fromEnv?.client ?? 'http';
  // http/json is honoured whenever the http client is in use, also when `client: http` is written out.
  const encoding = client === 'http' && fromEnv?.encoding === 'json' ? 'json' : 'protobuf';
  if (config.exporter === 'otlp' && client === 'grpc' && config.custom_url !== undefined) {
    warnings.push({ code: otelWarnings.CUSTOM_URL_IGNORED, message: 'otel.custom_url applies to the http client only; ignored with client: grpc' });
  }
  return {
    exporter: config.exporter,
    client,
    encoding,
    url: resolveUrl(config, client, env),
    headers: { ...config.headers },
    compression: config.compress ? 'gzip' : 'none',
    resource: resolveResource(config, env, distributionVersion),
    warnings,
  };
}
