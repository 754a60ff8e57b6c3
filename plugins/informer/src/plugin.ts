import { rpcEndpointsRef, workerSourcesRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { Informer } from './informer.js';
import { createInformerRpc } from './rpc.js';

/**
 * The informer plugin: collects every `workerSourcesRef` (http, jobs, grpc, service) and answers
 * `informer.*` over RPC. No config: always on, as in RoadRunner.
 */
export const informerPlugin: Plugin = definePlugin({
  id: 'informer',
  kernel: '^1.0.0',
  collects: { sources: workerSourcesRef },
  provides: { rpc: rpcEndpointsRef },
  init: ({ collected }) => ({ provides: { rpc: createInformerRpc(new Informer(collected.sources)) } }),
});
