export { kvPlugin, kvPlugin as default } from './plugin.js';
export { kvConfigSchema, kvStorageConfigSchema, type KvConfig, type KvConfigInput, type KvStorageConfig } from './config.js';
export { createKvRpc } from './rpc.js';
export { resolveStorages, openStorages, type KvStorages, type KvConfigIssue, type ResolvedStorage } from './storages.js';
export { parseDeadline, formatDeadline, type ParsedDeadline } from './timeout.js';
export { kvErrors } from './errors.js';
