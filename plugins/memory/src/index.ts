export { memoryPlugin, memoryPlugin as default } from './plugin.js';
export { memoryConfigSchema, type MemoryConfig, type MemoryConfigInput } from './config.js';
export { memoryKvDriver, MemoryKvStorage } from './kv.js';
export { memoryErrors } from './errors.js';
export { createMemoryJobsDriver, memoryJobsConfigSchema, type MemoryJobsConfig } from './jobs.js';
