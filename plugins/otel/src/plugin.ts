import { httpMiddlewaresRef, loggerRef, tracerRef } from '@rr/contracts';
import { coreKernelRef, definePlugin, type Plugin } from '@rr/kernel';
import { otelConfigSchema } from './config.js';
import { otelWarnings } from './errors.js';

/**
 * The otel plugin: OpenTelemetry tracing, off unless the top-level `otel` section exists (as in
 * RoadRunner). Provides the tracer other plugins use (declared `optional` there) and the `otel` HTTP
 * middleware. stop() exports every span still queued.
 *
 * @throws RR_ERR_OTEL_EXPORTER_DEPRECATED (exporter zipkin/jaeger), RR_ERR_OTEL_EXPORTER_FAILED from init
 */
export const otelPlugin: Plugin = definePlugin({
  id: 'otel',
  kernel: '^1.0.0',
  config: { schema: otelConfigSchema, whenAbsent: 'disable' },
  needs: { logger: loggerRef, kernel: coreKernelRef },
  provides: { tracer: tracerRef, middleware: httpMiddlewaresRef },
  async init({ config, needs }) {
    const log = needs.logger.named('otel');
    // Loaded only when tracing is on: an untraced rr never pays for the OpenTelemetry SDK.
    const { startOtel } = await import('./runtime.js');
    const { tracer, middleware, target, settings } = await startOtel(config, {
      log,
      env: process.env,
      distributionVersion: needs.kernel.distribution.version,
      streams: { stdout: process.stdout, stderr: process.stderr },
    });
    log.debug('tracing enabled', { exporter: target, service_name: settings.resource['service.name'] });
    return {
      provides: { tracer, middleware },
      async stop({ deadline }) {
        // Leave a little of the kernel's budget so the warning below is still logged in time.
        const flushed = await tracer.shutdown(deadline - 50);
        if (!flushed) log.warn('not every span was exported before the stop deadline', { code: otelWarnings.FLUSH_TIMEOUT, exporter: target });
      },
    };
  },
});
