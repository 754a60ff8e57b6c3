import { loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { logsConfigSchema } from './config.js';
import { buildLogger, type CreateLoggerOptions } from './logger.js';

/**
 * Builds the logs plugin; `options` (streams, root channel name, clock) are for the `rr` binary and tests.
 * The section is optional: without it the logger runs on the defaults, as in RoadRunner.
 */
export function createLogsPlugin(options: CreateLoggerOptions = {}): Plugin {
  return definePlugin({
    id: 'logs',
    kernel: '^1.0.0',
    config: { schema: logsConfigSchema, whenAbsent: 'defaults' },
    provides: { logger: loggerRef },
    init({ config }) {
      const logger = buildLogger(config, options);
      // Every other plugin needs the logger, so this stop runs last and nothing logs to a closed file.
      return { provides: { logger }, stop: () => logger.close() };
    },
  });
}

/** The logs plugin: provides `loggerRef` (RoadRunner's `logs`). */
export const logsPlugin: Plugin = createLogsPlugin();
