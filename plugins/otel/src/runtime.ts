/**
 * Everything that runs only when tracing is on: the OpenTelemetry SDK, the exporters and the middleware.
 * The plugin imports this module lazily from init, so an rr without an `otel` section never loads the
 * SDK (it takes a noticeable part of a second to load).
 */
import type { HttpMiddleware, Logger } from '@rr/contracts';
import type { OtelConfig } from './config.js';
import { createSpanExporter, exporterTarget, LoggingSpanExporter, type ExporterStreams } from './exporters.js';
import { createOtelMiddleware } from './middleware.js';
import { resolveSettings, type Env, type OtelSettings } from './settings.js';
import { OtelTracer } from './tracer.js';

export { createSpanExporter, exporterTarget, hrTimeToNanos, JsonLinesSpanExporter, LoggingSpanExporter, spanToJson, type ExporterStreams } from './exporters.js';
export { createOtelMiddleware, PROPAGATION_HEADERS, requestAttributes } from './middleware.js';
export { resolveResource, resolveSettings, resourceFromEnv, type Env, type OtelSettings, type SettingsWarning } from './settings.js';
export { createPropagator, OtelTracer, type OtelTracerOptions, type WritableCarrier } from './tracer.js';

/** What the plugin runs while enabled. */
export interface OtelRuntime {
  settings: OtelSettings;
  tracer: OtelTracer;
  middleware: HttpMiddleware;
  /** A description of where spans go, for log lines. */
  target: string;
}

/**
 * Resolves the settings (logging their warnings), builds the exporter, the tracer and the middleware.
 *
 * @throws RR_ERR_OTEL_EXPORTER_DEPRECATED, RR_ERR_OTEL_EXPORTER_FAILED
 */
export async function startOtel(config: OtelConfig, options: { log: Logger; env: Env; distributionVersion: string; streams: ExporterStreams }): Promise<OtelRuntime> {
  const { log } = options;
  const settings = resolveSettings(config, options.env, options.distributionVersion);
  for (const w of settings.warnings) log.warn(w.message, { code: w.code, ...w.fields });
  const target = exporterTarget(settings);
  const exporter = new LoggingSpanExporter(await createSpanExporter(settings, options.streams), log, target);
  const tracer = new OtelTracer({ exporter, resource: settings.resource });
  return { settings, tracer, middleware: createOtelMiddleware(tracer), target };
}
