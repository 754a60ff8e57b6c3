import { kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { redisConfigSchema } from './config.js';
import { createRedisDriver } from './driver.js';

/**
 * The redis plugin: provides the `redis` kv driver. Its root section `redis` is RoadRunner's global redis
 * config, which the kv plugin uses for storages without a `config`; it is validated here too, so a typo
 * fails at start even when no storage uses it. Connects nothing at init: each storage's open does.
 */
export const redisPlugin: Plugin = definePlugin({
  id: 'redis',
  kernel: '^1.0.0',
  config: { schema: redisConfigSchema, whenAbsent: 'defaults' },
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef },
  init({ needs }) {
    needs.logger.named('redis').debug('redis kv driver registered');
    return { provides: { kvDriver: createRedisDriver() } };
  },
});
