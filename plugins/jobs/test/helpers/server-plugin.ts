import { poolFactoryRef, type NewPoolOptions } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { createPool } from '@rr/pool';

/** Where the php-sdk lives (its autoload.php is required by the fixtures). */
export const PHP_SDK = new URL('../../../../php-sdk/', import.meta.url).pathname;
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** The worker command for a fixture script. */
export const php = (script: string): string[] => ['php', '-d', 'display_errors=stderr', `${FIXTURES}${script}`];

/**
 * Stands in for the server plugin (plugins never import plugins): provides `server.poolFactory`
 * creating real @rr/pool pools that run `command` over pipes with RR_MODE, as the server plugin would.
 */
export function testServerPlugin(command: readonly string[], env: Record<string, string> = {}): Plugin {
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
              env: { ...process.env, RR_MODE: o.mode ?? o.name, RR_RELAY: 'pipes', RR_SDK: PHP_SDK, ...env, ...o.env } as Record<string, string>,
              config: o.config,
              logger: o.logger,
              relay: 'pipes',
            });
            await pool.start();
            return pool;
          },
        },
      },
    }),
  });
}
