import { jobsDriversRef, kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { redisConfigSchema } from './config.js';
import { createRedisDriver } from './driver.js';
import { createRedisJobsDriver } from './jobs.js';

/**
 * The redis plugin: provides the `redis` kv driver and the `redis` jobs driver. Its root section `redis`
 * is RoadRunner's global redis config: the kv plugin uses it for storages without a `config`, and jobs
 * pipelines connect with it unless they set their own `redis` option. It is validated here too, so a typo
 * fails at start even when nothing uses it. Connects nothing at init: each storage's or pipeline's open does.
 */
export const redisPlugin: Plugin = definePlugin({
  id: 'redis',
  kernel: '^1.0.0',
  config: { schema: redisConfigSchema, whenAbsent: 'defaults' },
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef, jobsDriver: jobsDriversRef },
  init({ config, needs }) {
    needs.logger.named('redis').debug('redis kv and jobs drivers registered');
    return { provides: { kvDriver: createRedisDriver(), jobsDriver: createRedisJobsDriver(config) } };
  },
});
