import { loggerRef, metricsCollectorsRef, rpcEndpointsRef, tracerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { greeterConfigSchema } from './config.js';
import { Greeter } from './greeter.js';
import { createGreeterRpc } from './rpc.js';

/**
 * The greeter: a third-party plugin built only on @rr/kernel and @rr/contracts. It uses the logs
 * plugin's logger, traces through the otel plugin when that is on, hands a collector to the metrics
 * plugin and serves `greeter.*` through the rpc plugin; it never imports any of them.
 */
export const greeterPlugin: Plugin = definePlugin({
  id: 'greeter',
  // Keep equal to peerDependencies["@rr/kernel"] and "rr": { "kernel" } in package.json.
  kernel: '^1.0.0',
  config: { schema: greeterConfigSchema },
  needs: { logger: loggerRef },
  optional: { tracer: tracerRef },
  provides: { rpc: rpcEndpointsRef, metrics: metricsCollectorsRef },
  init({ config, needs, optional }) {
    const log = needs.logger.named('greeter');
    const greeter = new Greeter(config);
    log.info('greeter ready', { greeting: config.greeting, traced: optional.tracer !== undefined });
    return { provides: { rpc: createGreeterRpc(greeter, log, optional.tracer), metrics: greeter.collector() } };
  },
});
