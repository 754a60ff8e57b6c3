export { boltdbPlugin, boltdbPlugin as default } from './plugin.js';
export { boltdbConfigSchema, type BoltdbConfig, type BoltdbConfigInput } from './config.js';
export { boltdbKvDriver } from './kv.js';
export { LogKvStorage, type LogStoreOptions } from './store.js';
export { boltdbErrors } from './errors.js';
