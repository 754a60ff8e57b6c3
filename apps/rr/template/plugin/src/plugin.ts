import { loggerRef, rpcEndpointsRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { __CAMEL__ConfigSchema } from './config.js';
import { create__PASCAL__Rpc } from './rpc.js';

/**
 * The __PLUGIN_ID__ plugin. Wiring and lifecycle only: the id is the YAML key, the RPC namespace and
 * the logger channel; `kernel` is the range of @rr/kernel this plugin was built for (keep it equal to
 * the peerDependency in package.json).
 */
export const __CAMEL__Plugin: Plugin = definePlugin({
  id: '__PLUGIN_ID__',
  kernel: '__KERNEL_RANGE__',
  config: { schema: __CAMEL__ConfigSchema },
  needs: { logger: loggerRef },
  provides: { rpc: rpcEndpointsRef },
  init({ config, needs }) {
    // init wires; anything another plugin or a PHP worker may call works once init returns.
    const log = needs.logger.named('__PLUGIN_ID__');
    return {
      provides: { rpc: create__PASCAL__Rpc(config, log) },
      // serve (start accepting work) and stop (release everything) go here when the plugin owns resources.
    };
  },
});
