import { kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { memcachedConfigSchema } from './config.js';
import { createMemcachedDriver } from './driver.js';

/**
 * The memcached plugin: provides the `memcached` kv driver. Its root section `memcached` is RoadRunner's
 * global memcached config, which the kv plugin uses for storages without a `config`; it is validated here
 * too, so a typo fails at start even when no storage uses it. Connects nothing at init: each storage's
 * open does.
 */
export const memcachedPlugin: Plugin = definePlugin({
  id: 'memcached',
  kernel: '^1.0.0',
  config: { schema: memcachedConfigSchema, whenAbsent: 'defaults' },
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef },
  init({ needs }) {
    needs.logger.named('memcached').debug('memcached kv driver registered');
    return { provides: { kvDriver: createMemcachedDriver() } };
  },
});
