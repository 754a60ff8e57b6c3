import { jobsDriversRef, kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { boltdbConfigSchema } from './config.js';
import { boltdbJobsDriver } from './jobs.js';
import { boltdbKvDriver } from './kv.js';

/**
 * The boltdb plugin: provides the kv driver `boltdb` (durable storages in a local file) and the jobs
 * driver `boltdb` (durable pipelines, one local file each). Nothing is opened at init: the kv plugin's
 * and the jobs plugin's `open()` open each file. Runs on defaults when the root `boltdb` section (the kv
 * storages' global config) is absent, so `driver: boltdb` works without it.
 */
export const boltdbPlugin: Plugin = definePlugin({
  id: 'boltdb',
  kernel: '^1.0.0',
  config: { schema: boltdbConfigSchema, whenAbsent: 'defaults' },
  // Storages and pipelines log through the logger their plugin hands to open(); declared so the kernel
  // orders this plugin after the logger.
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef, jobsDriver: jobsDriversRef },
  init() {
    return { provides: { kvDriver: boltdbKvDriver, jobsDriver: boltdbJobsDriver } };
  },
});
