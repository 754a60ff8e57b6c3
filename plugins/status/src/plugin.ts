import { loggerRef, rpcEndpointsRef, statusSourcesRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { StatusChecker } from './checker.js';
import { statusConfigSchema } from './config.js';
import { createStatusRpc } from './rpc.js';
import { StatusServer } from './server.js';

/**
 * The status plugin: collects every `statusSourcesRef` (http…), serves /health and /ready on
 * `status.address` and answers `status.Status`/`status.Ready` over RPC. Disabled without a section.
 */
export const statusPlugin: Plugin = definePlugin({
  id: 'status',
  kernel: '^1.0.0',
  config: { schema: statusConfigSchema },
  needs: { logger: loggerRef },
  collects: { sources: statusSourcesRef },
  provides: { rpc: rpcEndpointsRef },
  init({ config, needs, collected }) {
    const log = needs.logger.named('status');
    const checker = new StatusChecker(collected.sources, { unavailableStatusCode: config.unavailable_status_code, checkTimeoutMs: config.check_timeout, log });
    const server = new StatusServer(checker, log);
    return {
      provides: { rpc: createStatusRpc(checker) },
      async serve() {
        const address = await server.listen(config.address);
        log.info('status listening', { address, plugins: checker.names() });
      },
      stop: () => server.close(),
    };
  },
});
