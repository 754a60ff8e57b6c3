export { memcachedPlugin, memcachedPlugin as default } from './plugin.js';
export { memcachedConfigSchema, type MemcachedConfig, type MemcachedConfigInput } from './config.js';
export { createMemcachedDriver, openMemcachedStorage } from './driver.js';
export { MemcachedStorage } from './storage.js';
export { memcachedErrors } from './errors.js';
