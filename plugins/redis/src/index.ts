export { redisPlugin, redisPlugin as default } from './plugin.js';
export { redisConfigSchema, type RedisConfig, type RedisConfigInput } from './config.js';
export { createRedisDriver, openRedisStorage } from './driver.js';
export { RedisStorage, type RedisStorageInternals } from './storage.js';
export { createRedisJobsDriver, defaultStream, delayedKeyOf } from './jobs.js';
export { redisJobsConfigSchema, type RedisJobsConfig, type RedisJobsConfigInput } from './jobs-config.js';
export { redisErrors } from './errors.js';
