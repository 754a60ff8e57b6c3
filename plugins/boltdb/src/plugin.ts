import { kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { boltdbConfigSchema } from './config.js';
import { boltdbKvDriver } from './kv.js';

/**
 * The boltdb plugin: provides the kv driver `boltdb`, durable storages in a local file. Nothing is opened
 * at init: the kv plugin's `open()` opens each storage's file. Runs on defaults when the root `boltdb`
 * section is absent, so `driver: boltdb` works without it.
 */
export const boltdbPlugin: Plugin = definePlugin({
  id: 'boltdb',
  kernel: '^1.0.0',
  config: { schema: boltdbConfigSchema, whenAbsent: 'defaults' },
  // Storages log through the logger the kv plugin hands to open(); this one is for the jobs driver to come.
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef },
  init() {
    return { provides: { kvDriver: boltdbKvDriver } };
  },
});
