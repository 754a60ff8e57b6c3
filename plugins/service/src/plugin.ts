import { loggerRef, resettablesRef, rpcEndpointsRef, workerSourcesRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { serviceConfigSchema, type ServiceEntryConfig } from './config.js';
import type { ServiceSpec } from './process.js';
import { createServiceRpc } from './rpc.js';
import { ServiceManager } from './services.js';

/**
 * The service plugin: keeps the commands of the `service` section running (RoadRunner's service), logs
 * their output on the `service` channel, shows them in `rr workers`, restarts them on `rr reset`, and
 * manages services at run time over the `service` RPC. Runs only when the section exists.
 */
export const servicePlugin: Plugin = definePlugin({
  id: 'service',
  kernel: '^1.0.0',
  config: { schema: serviceConfigSchema },
  needs: { logger: loggerRef },
  provides: { rpc: rpcEndpointsRef, workers: workerSourcesRef, resettable: resettablesRef },
  init({ config, needs }) {
    const services = new ServiceManager(needs.logger.named('service'));
    return {
      provides: {
        rpc: createServiceRpc(services),
        workers: { name: 'service', workers: () => services.workers() },
        resettable: { name: 'service', reset: () => services.resetAll() },
      },
      async serve() {
        for (const [name, entry] of Object.entries(config)) await services.create(specFromConfig(name, entry), `service.${name}`);
      },
      stop: ({ signal }) => services.stopAll(signal),
    };
  },
});

function specFromConfig(name: string, entry: ServiceEntryConfig): ServiceSpec {
  return {
    name,
    command: entry.command,
    processNum: entry.process_num,
    execTimeoutMs: entry.exec_timeout,
    remainAfterExit: entry.remain_after_exit,
    restartMs: entry.restart_sec,
    stopTimeoutMs: entry.timeout_stop_sec,
    serviceNameInLog: entry.service_name_in_log,
    env: entry.env,
    user: entry.user,
  };
}
