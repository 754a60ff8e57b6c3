import { rpcEndpointsRef, type RpcEndpoint } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';

/**
 * A plugin that collects every RPC endpoint, as the rpc plugin does, so plugin tests can call their
 * methods through the endpoint objects without a socket.
 */
export function endpointsProbe(): { plugin: Plugin; endpoints: () => readonly RpcEndpoint[] } {
  let seen: readonly RpcEndpoint[] = [];
  return {
    endpoints: () => seen,
    plugin: definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { endpoints: rpcEndpointsRef },
      init: ({ collected }) => {
        seen = collected.endpoints;
        return {};
      },
    }),
  };
}
