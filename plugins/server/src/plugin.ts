import { loggerRef, poolFactoryRef } from '@rr/contracts';
import { coreConfigRef, definePlugin } from '@rr/kernel';
import { serverConfigSchema } from './config.js';
import { resolveCredentials, type AccountSources } from './credentials.js';
import { expandEnvValues, onInitEnv, rpcAddressForWorkers, workerVersion } from './env.js';
import { serverDeprecations } from './errors.js';
import { runOnInit } from './on-init.js';
import { createServerPoolFactory } from './pool-factory.js';

/**
 * The `server` plugin: the worker factory every pool-owning plugin (http, jobs, grpc) uses through
 * `poolFactoryRef`, and the one-shot `on_init` command.
 *
 * @remarks
 * `on_init` runs inside `init`, not `serve` as in RoadRunner. Pools are created in their owners' `init`
 * (anything callable must work when init returns), and the kernel inits `server` before any plugin that
 * needs `server.poolFactory`, but serves only after every init. Running it here keeps RoadRunner's
 * promise that on_init finishes before the first worker starts.
 *
 * Workers inherit rr's environment, read from `process.env` (the kernel itself never reads `process`);
 * dotenv variables reach them only if the app copies its loaded environment into `process.env`.
 *
 * A tcp/unix relay is listened on in init (as RoadRunner does), once for every pool.
 *
 * @throws RR_ERR_SERVER_UNKNOWN_USER, RR_ERR_SERVER_UNKNOWN_GROUP, RR_ERR_SERVER_NOT_ROOT,
 * RR_ERR_SERVER_RELAY_LISTEN_FAILED from init
 * @throws RR_ERR_SERVER_ON_INIT_FAILED, RR_ERR_SERVER_ON_INIT_TIMEOUT from init, with `on_init.exit_on_error: true`
 */
export const serverPlugin = definePlugin({
  id: 'server',
  kernel: '^1.0.0',
  config: { schema: serverConfigSchema },
  needs: { logger: loggerRef, config: coreConfigRef },
  provides: { poolFactory: poolFactoryRef },
  async init({ config, needs }) {
    const log = needs.logger.named('server');
    const base = process.env;
    const accounts: AccountSources = { currentUid: process.getuid?.(), currentGid: process.getgid?.() };
    if (config.relay_timeout !== undefined) {
      log.warn('server.relay_timeout is deprecated and ignored', {
        code: serverDeprecations.RELAY_TIMEOUT,
        hint: 'remove it; <plugin>.pool.allocate_timeout bounds how long a worker may take to start',
      });
    }
    const credentials = await resolveCredentials('server', config.user, config.group, accounts);

    if (config.on_init !== undefined) {
      const onInit = config.on_init;
      const { error } = await runOnInit({
        command: onInit.command,
        env: onInitEnv(base, onInit.env),
        credentials: await resolveCredentials('server.on_init', onInit.user, '', accounts),
        timeoutMs: onInit.exec_timeout,
        logger: log,
      });
      if (error !== undefined && onInit.exit_on_error) throw error;
    }

    const factory = await createServerPoolFactory({
      command: config.command,
      relay: config.relay,
      env: {
        base,
        relay: config.relay,
        rpc: needs.config.has('rpc') ? rpcAddressForWorkers(needs.config.section('rpc')) : undefined,
        server: expandEnvValues(config.env, base),
        version: workerVersion(base),
      },
      credentials,
      logger: log,
    });
    return {
      provides: { poolFactory: factory },
      stop: () => factory.destroyAll(),
    };
  },
});
