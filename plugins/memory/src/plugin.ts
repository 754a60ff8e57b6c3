import { jobsDriversRef, kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { memoryConfigSchema } from './config.js';
import { createMemoryJobsDriver } from './jobs.js';
import { memoryKvDriver } from './kv.js';

/**
 * The memory plugin: provides the kv driver `memory` (in-process storages, lost on restart) and the jobs
 * driver `memory` (in-process queues; rr returns unfinished jobs to them on stop). It holds
 * nothing itself: each storage lives from the kv plugin's `open()` to its `close()`. Runs on defaults
 * when the root `memory` section is absent, so `driver: memory` works without it.
 */
export const memoryPlugin: Plugin = definePlugin({
  id: 'memory',
  kernel: '^1.0.0',
  config: { schema: memoryConfigSchema, whenAbsent: 'defaults' },
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef, jobsDriver: jobsDriversRef },
  init() {
    return { provides: { kvDriver: memoryKvDriver, jobsDriver: createMemoryJobsDriver() } };
  },
});
