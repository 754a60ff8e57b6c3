import { kvDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { memoryConfigSchema } from './config.js';
import { memoryKvDriver } from './kv.js';

/**
 * The memory plugin: provides the kv driver `memory` (in-process storages, lost on restart). It holds
 * nothing itself: each storage lives from the kv plugin's `open()` to its `close()`. Runs on defaults
 * when the root `memory` section is absent, so `driver: memory` works without it.
 */
export const memoryPlugin: Plugin = definePlugin({
  id: 'memory',
  kernel: '^1.0.0',
  config: { schema: memoryConfigSchema, whenAbsent: 'defaults' },
  // Declared for the jobs driver to come; the kv driver logs nothing of its own.
  needs: { logger: loggerRef },
  provides: { kvDriver: kvDriversRef },
  init() {
    return { provides: { kvDriver: memoryKvDriver } };
  },
});
