// The public surface stays light: importing the plugin (as every rr build does) loads no OpenTelemetry
// code. The SDK side (tracer, exporters, middleware) is `@rr/plugin-otel/runtime`.
export { otelPlugin, otelPlugin as default } from './plugin.js';
export { otelConfigSchema, type OtelConfig, type OtelConfigInput } from './config.js';
export { otelErrors, otelWarnings } from './errors.js';
export type { OtelRuntime, OtelSettings, OtelTracer, SettingsWarning } from './runtime.js';
