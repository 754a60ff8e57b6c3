export { boltdbPlugin, boltdbPlugin as default } from './plugin.js';
export {
  boltdbConfigSchema,
  boltdbJobsConfigSchema,
  type BoltdbConfig,
  type BoltdbConfigInput,
  type BoltdbJobsConfig,
  type BoltdbJobsConfigInput,
} from './config.js';
export { boltdbKvDriver } from './kv.js';
export { boltdbJobsDriver } from './jobs.js';
export { BoltdbJobsPipeline, type BoltdbPipelineOptions } from './jobs-pipeline.js';
export { LogKvStorage, type LogStoreOptions } from './store.js';
export { boltdbErrors } from './errors.js';
