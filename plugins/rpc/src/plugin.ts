import { readFileSync } from 'node:fs';
import { loggerRef, rpcEndpointsRef } from '@rr/contracts';
import { coreConfigRef, definePlugin, type Plugin } from '@rr/kernel';
import { rpcConfigSchema } from './config.js';
import { createRpcRpc } from './rpc.js';
import { RpcHost } from './server.js';

/** Options of {@link createRpcPlugin}. */
export interface RpcPluginOptions {
  /** What `rpc.Version` answers: the rr binary passes its own version. @default this package's version */
  version?: string | undefined;
}

// Read at run time so src/ and dist/ (both one level below the package root) find it.
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Builds the rpc plugin; the `rr` binary passes its version for `rpc.Version`. */
export function createRpcPlugin(options: RpcPluginOptions = {}): Plugin {
  const version = options.version ?? PACKAGE_VERSION;
  return definePlugin({
    id: 'rpc',
    kernel: '^1.0.0',
    config: { schema: rpcConfigSchema },
    needs: { logger: loggerRef, config: coreConfigRef },
    collects: { endpoints: rpcEndpointsRef },
    init({ config, needs, collected }) {
      const log = needs.logger.named('rpc');
      const host = new RpcHost([createRpcRpc({ config: needs.config, version }), ...collected.endpoints], log);
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
