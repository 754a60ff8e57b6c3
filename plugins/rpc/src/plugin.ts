import { loggerRef, rpcEndpointsRef } from '@rr/contracts';
import { coreConfigRef, coreKernelRef, definePlugin, type Plugin } from '@rr/kernel';
import { rpcConfigSchema } from './config.js';
import { createRpcRpc } from './rpc.js';
import { RpcHost } from './server.js';

/** Options of {@link createRpcPlugin}. */
export interface RpcPluginOptions {
  /** What `rpc.Version` answers. @default the version of the distribution the kernel runs in */
  version?: string | undefined;
}

/**
 * Builds the rpc plugin. `rpc.Version` answers the kernel's distribution version (no file read at import,
 * so the plugin also works bundled into a single-file distribution).
 */
export function createRpcPlugin(options: RpcPluginOptions = {}): Plugin {
  return definePlugin({
    id: 'rpc',
    kernel: '^1.0.0',
    config: { schema: rpcConfigSchema },
    needs: { logger: loggerRef, config: coreConfigRef, kernel: coreKernelRef },
    collects: { endpoints: rpcEndpointsRef },
    init({ config, needs, collected }) {
      const log = needs.logger.named('rpc');
      const host = new RpcHost([createRpcRpc({ config: needs.config, version: options.version ?? needs.kernel.distribution.version }), ...collected.endpoints], log);
      return {
        async serve() {
          const address = await host.listen(config.listen);
          log.info('rpc listening', { address, services: host.namespaces });
        },
        stop: () => host.close(),
      };
    },
  });
}

/** The rpc plugin: serves every collected `rpcEndpointsRef` over goridge RPC on `rpc.listen`. */
export const rpcPlugin: Plugin = createRpcPlugin();
