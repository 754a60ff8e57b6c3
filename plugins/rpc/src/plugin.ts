import { loggerRef, rpcEndpointsRef, tracerRef } from '@rr/contracts';
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
 *
 * Tracing: when the otel plugin provides `tracerRef`, each call of a registered method is a SERVER span
 * named as the method (`kv.Set`, `rpc.system=goridge`), failed when the handler throws. Goridge frames
 * carry no headers, so there is no remote parent. Without a tracer the handlers run unwrapped.
 */
export function createRpcPlugin(options: RpcPluginOptions = {}): Plugin {
  return definePlugin({
    id: 'rpc',
    kernel: '^1.1.0',
    config: { schema: rpcConfigSchema },
    needs: { logger: loggerRef, config: coreConfigRef, kernel: coreKernelRef },
    optional: { tracer: tracerRef },
    collects: { endpoints: rpcEndpointsRef },
    init({ config, needs, optional, collected }) {
      const log = needs.logger.named('rpc');
      const host = new RpcHost([createRpcRpc({ config: needs.config, version: options.version ?? needs.kernel.distribution.version }), ...collected.endpoints], log, optional.tracer);
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
