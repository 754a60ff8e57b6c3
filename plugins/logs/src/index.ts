export { logsPlugin, logsPlugin as default, createLogsPlugin } from './plugin.js';
export { createLogger, type CreateLoggerOptions, type RootLogger } from './logger.js';
export type { LogStream, LogStreams } from './sinks.js';
export {
  logsConfigSchema,
  logsChannelConfigSchema,
  LOG_LEVELS,
  type LogsConfig,
  type LogsConfigInput,
  type LogsChannelConfig,
  type LogLevelName,
} from './config.js';
export { logsErrors, logsWarnings } from './errors.js';
