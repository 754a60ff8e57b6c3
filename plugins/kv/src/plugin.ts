import { kvDriversRef, loggerRef, rpcEndpointsRef } from '@rr/contracts';
import { coreConfigRef, definePlugin, type Plugin } from '@rr/kernel';
import { kvConfigSchema } from './config.js';
import { createKvRpc } from './rpc.js';
import { openStorages, resolveStorages } from './storages.js';

/**
 * The kv plugin: opens every storage of the `kv` section with the driver it names (collected from the
 * driver plugins through `kvDriversRef`) and serves RoadRunner's `kv` RPC service over them. Runs only
 * when the `kv` section exists; with no storage under it, it disables itself.
 *
 * @throws RR_ERR_KV_CONFIG_INVALID, RR_ERR_KV_DUPLICATE_DRIVER, RR_ERR_KV_OPEN_FAILED (init);
 * RR_ERR_KV_CLOSE_FAILED (stop).
 */
export const kvPlugin: Plugin = definePlugin({
  id: 'kv',
  kernel: '^1.0.0',
  config: { schema: kvConfigSchema },
  needs: { logger: loggerRef, config: coreConfigRef },
  collects: { drivers: kvDriversRef },
  provides: { rpc: rpcEndpointsRef },
  async init({ config, needs, collected, disable }) {
    if (Object.keys(config).length === 0) return disable('no storages declared under "kv"');
    const log = needs.logger.named('kv');
    const resolved = await resolveStorages(config, collected.drivers, needs.config);
    const storages = await openStorages(resolved, log);
    return {
      provides: { rpc: createKvRpc(storages, log) },
      stop: ({ signal }) => storages.closeAll(signal),
    };
  },
});
