import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bool, int } from '@rr/config';
import { z } from 'zod';

/** Levels zap accepts; the last three are thresholds above `error` (nothing but `raw()` passes them). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'] as const;
/** A log level name. */
export type LogLevelName = (typeof LOG_LEVELS)[number];

const lower = (s: string): string => s.toLowerCase();

/** One output list: a single target or a list; `stderr`, `stdout`, or a file path (opened for append). */
const outputList = () =>
  z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((v) => (typeof v === 'string' ? [v] : [...v]));

const fileLoggerSchema = z
  .strictObject({
    log_output: z.string().min(1).default(join(tmpdir(), 'rr.log')).describe('The file to write (default <tmpdir>/rr.log); rotated backups are kept next to it'),
    // RoadRunner turns 0 into the default, so "0" never meant "unlimited" there; kept for compatibility.
    max_size: int({ min: 0 })
      .default(100)
      .transform((n) => (n === 0 ? 100 : n))
      .describe('Rotate when the file would grow beyond this many megabytes (default 100; 0 = default)'),
    max_age: int({ min: 0 })
      .default(24)
      .transform((n) => (n === 0 ? 24 : n))
      .describe('Delete rotated files older than this many days (default 24; 0 = default)'),
    max_backups: int({ min: 0 })
      .default(10)
      .transform((n) => (n === 0 ? 10 : n))
      .describe('Keep at most this many rotated files (default 10; 0 = default)'),
    compress: bool().default(false).describe('gzip rotated files'),
  })
  .describe('Write to one size-rotated file instead of `output` (RoadRunner v5 lumberjack options)');

// Every key a channel may set. None has a default here: a key a channel leaves out is taken from the
// top-level `logs` config, and `level`/`encoding` fall back to the mode's defaults.
const loggerKeys = {
  mode: z
    .string()
    .transform(lower)
    .optional()
    .describe('development (console, debug), production (JSON, info), raw (message text only, info), off or none (discard); unknown values mean development'),
  level: z
    .string()
    .transform(lower)
    .pipe(z.enum(LOG_LEVELS))
    .optional()
    .describe('Minimum level: debug, info, warn, error (panic, dpanic, fatal are accepted and silence all four); default: debug in development, info in production and raw'),
  encoding: z
    .string()
    .transform(lower)
    .pipe(z.enum(['console', 'json']))
    .optional()
    .describe("Line format, overriding the mode's: console or json (ignored by raw and off)"),
  line_ending: z.string().optional().describe('Appended to every line (default "\\n")'),
  output: outputList().optional().describe('Where lines go: stderr (default), stdout, or file paths opened for append; a string or a list'),
  err_output: outputList().optional().describe("Where the logger's own failures go (a file that cannot be written, a failed rotation); default stderr"),
  file_logger_options: fileLoggerSchema.optional(),
};

/** A channel: the same keys as `logs` (without `channels`); keys left out come from `logs`. */
export const logsChannelConfigSchema = z.strictObject(loggerKeys).describe('Logger config for one channel (the name given to logger.named)');

/** The `logs` section. RoadRunner's keys and meanings; every line carries `logger: <channel>`. */
export const logsConfigSchema = z
  .strictObject({
    ...loggerKeys,
    mode: z
      .string()
      .transform(lower)
      .default('development')
      .describe('development (console, debug; the default), production (JSON, info), raw (message text only, info), off or none (discard); unknown values mean development'),
    line_ending: z.string().default('\n').describe('Appended to every line (default "\\n")'),
    output: outputList().default(['stderr']).describe('Where lines go: stderr (default), stdout, or file paths opened for append; a string or a list'),
    err_output: outputList()
      .default(['stderr'])
      .describe("Where the logger's own failures go (a file that cannot be written, a failed rotation); default stderr"),
    channels: z
      .record(z.string().regex(/^[a-zA-Z0-9._-]+$/, 'channel names are letters, digits, ".", "_" and "-"'), logsChannelConfigSchema)
      .default({})
      .describe('Per-channel loggers, keyed by plugin name (http, server, jobs, …)'),
  })
  .describe('Logger configuration');

/** The resolved `logs` section. */
export type LogsConfig = z.output<typeof logsConfigSchema>;
/** The `logs` section as written in YAML. */
export type LogsConfigInput = z.input<typeof logsConfigSchema>;
/** One resolved `logs.channels.<name>` entry. */
export type LogsChannelConfig = z.output<typeof logsChannelConfigSchema>;
