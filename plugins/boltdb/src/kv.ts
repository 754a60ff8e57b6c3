import type { KvDriver } from '@rr/contracts';
import { boltdbConfigSchema, type BoltdbConfig } from './config.js';
import { LogKvStorage } from './store.js';

/**
 * The kv driver `boltdb` (RoadRunner's name, so `driver: boltdb` configs load unchanged): each `open()`
 * owns one file, locked against a second opener.
 */
export const boltdbKvDriver: KvDriver<BoltdbConfig> = {
  name: 'boltdb',
  configSchema: boltdbConfigSchema,
  open({ config, logger }) {
    return LogKvStorage.open({ file: config.file, permissions: config.permissions, intervalMs: config.interval, logger });
  },
};
