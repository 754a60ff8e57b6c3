import { loggerRef, resettablesRef, rpcEndpointsRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { Resetter } from './resetter.js';
import { createResetterRpc } from './rpc.js';

/**
 * The resetter plugin: collects every `resettablesRef` (http, jobs, grpc, service) and answers
 * `resetter.*` over RPC (`rr reset`). No config: always on, as in RoadRunner.
 */
export const resetterPlugin: Plugin = definePlugin({
  id: 'resetter',
  kernel: '^1.0.0',
  needs: { logger: loggerRef },
  collects: { resettables: resettablesRef },
  provides: { rpc: rpcEndpointsRef },
  init: ({ needs, collected }) => ({
    provides: { rpc: createResetterRpc(new Resetter(collected.resettables, needs.logger.named('resetter'))) },
  }),
});
