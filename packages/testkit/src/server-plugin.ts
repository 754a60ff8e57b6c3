import { poolFactoryRef, type NewPoolOptions, type WorkerPool } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { createPool } from '@rr/pool';

/**
 * Stands in for the server plugin in plugin tests (plugins never import plugins): provides
 * `server.poolFactory` creating real @rr/pool pools that run `command` (real PHP workers) over pipes
 * with RR_MODE and RR_RELAY, as the server plugin would. `env` is added to every worker's
 * environment; every pool created is pushed onto `pools` when given, for assertions.
 */
export function testServerPlugin(command: readonly string[], options: { env?: Record<string, string>; pools?: WorkerPool[] } = {}): Plugin {
  return definePlugin({
    id: 'server',
    kernel: '^1.0.0',
    provides: { poolFactory: poolFactoryRef },
    init: () => ({
      provides: {
        poolFactory: {
          async newPool(o: NewPoolOptions) {
            const pool = createPool({
              name: o.name,
              command,
              env: { ...process.env, RR_MODE: o.mode ?? o.name, RR_RELAY: 'pipes', ...options.env, ...o.env } as Record<string, string>,
              config: o.config,
              logger: o.logger,
              relay: 'pipes',
            });
            await pool.start();
            options.pools?.push(pool);
            return pool;
          },
        },
      },
    }),
  });
}
