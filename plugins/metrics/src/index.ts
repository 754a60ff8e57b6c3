export { metricsPlugin, metricsPlugin as default } from './plugin.js';
export { metricsConfigSchema, collectorConfigSchema, type MetricsConfig, type MetricsConfigInput, type CollectorConfig } from './config.js';
export { createMetricsRpc } from './rpc.js';
export { MetricsRegistry, fqName, renderFamily, type CollectorSpec, type MetricsOperation } from './registry.js';
export { workerSourceCollector } from './pool-metrics.js';
export { MetricsServer, parseAddress } from './server.js';
export { metricsErrors } from './errors.js';
