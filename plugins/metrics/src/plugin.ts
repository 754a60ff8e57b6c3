import { loggerRef, metricsCollectorsRef, rpcEndpointsRef, workerSourcesRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { metricsConfigSchema } from './config.js';
import { workerSourceCollector } from './pool-metrics.js';
import { MetricsRegistry } from './registry.js';
import { createMetricsRpc } from './rpc.js';
import { MetricsServer } from './server.js';

/**
 * The metrics plugin: a Prometheus exposition server on `metrics.address` with the process collectors,
 * the user collectors of `metrics.collect` and metrics.Declare, every collected `metricsCollectorsRef`
 * and the pool metrics of every `workerSourcesRef`. Runs only when the `metrics` section exists.
 */
export const metricsPlugin: Plugin = definePlugin({
  id: 'metrics',
  kernel: '^1.0.0',
  config: { schema: metricsConfigSchema },
  needs: { logger: loggerRef },
  collects: { collectors: metricsCollectorsRef, workers: workerSourcesRef },
  provides: { rpc: rpcEndpointsRef },
  init({ config, needs, collected }) {
    const log = needs.logger.named('metrics');
    const metrics = new MetricsRegistry([...collected.collectors, ...collected.workers.map(workerSourceCollector)], log);
    for (const [name, spec] of Object.entries(config.collect)) metrics.declare(name, spec);
    const server = new MetricsServer(metrics, log);
    return {
      provides: { rpc: createMetricsRpc(metrics) },
      async serve() {
        const address = await server.listen(config.address);
        log.info('metrics listening', { address });
      },
      async stop() {
        await server.close();
        metrics.clear();
      },
    };
  },
});
