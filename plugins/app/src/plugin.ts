import { loggerRef, rpcEndpointsRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { createAppRpc } from './rpc.js';

/**
 * The app plugin (RoadRunner's app-logger): PHP workers log through rr's logger over RPC, in the `app`
 * channel. No config: always on.
 */
export const appPlugin: Plugin = definePlugin({
  id: 'app',
  kernel: '^1.0.0',
  needs: { logger: loggerRef },
  provides: { rpc: rpcEndpointsRef },
  init: ({ needs }) => ({ provides: { rpc: createAppRpc(needs.logger.named('app')) } }),
});
