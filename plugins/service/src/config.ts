import { bool, duration, envMap, int } from '@rr/config';
import { z } from 'zod';

// RoadRunner's InitDefaults treat 0 as "not set" for these keys, so `restart_sec: 0` means the default,
// not an immediate restart loop.
const orDefault = (fallback: number) => (value: number) => (value === 0 ? fallback : value);

/** Defaults in milliseconds, shared with service.Create (whose zero fields mean "not set" too). */
export const SERVICE_DEFAULTS = { restartMs: 30_000, stopTimeoutMs: 5_000 } as const;

/** One `service.<name>` entry: a command kept running by rr (RoadRunner's service plugin). */
export const serviceEntryConfigSchema = z
  .strictObject({
    command: z
      .string()
      .min(1, 'required: the command to run')
      .describe('The command; split on single spaces into program and arguments, no shell and no quoting (as RoadRunner does)'),
    process_num: int({ min: 0 })
      .default(1)
      .pipe(z.transform(orDefault(1)))
      .describe('How many copies of the command to run (default 1; 0 means 1)'),
    exec_timeout: duration()
      .default(0)
      .describe('Kill the process after it has run this long (Go duration, e.g. 1m; a bare number is nanoseconds as in RoadRunner; 0 = no limit)'),
    remain_after_exit: bool()
      .default(false)
      .describe('Start the process again after any exit, whatever its exit code, unless rr is stopping'),
    restart_sec: duration({ bare: 's' })
      .default(SERVICE_DEFAULTS.restartMs)
      .pipe(z.transform(orDefault(SERVICE_DEFAULTS.restartMs)))
      .describe('Delay before a restart when remain_after_exit is set (seconds, or a Go duration; default 30; 0 means the default)'),
    timeout_stop_sec: duration({ bare: 's' })
      .default(SERVICE_DEFAULTS.stopTimeoutMs)
      .pipe(z.transform(orDefault(SERVICE_DEFAULTS.stopTimeoutMs)))
      .describe('On stop: how long to wait after SIGINT before SIGKILL (seconds, or a Go duration; default 5; 0 means the default)'),
    service_name_in_log: bool().default(false).describe('Add service=<name> to every log line of this service'),
    env: envMap()
      .default({})
      .describe('Environment added to rr’s own for this service; keys are upper-cased, $VAR and ${VAR} in values are expanded at start'),
    user: z.string().default('').describe('Run the process as this user (name or numeric uid); rr must run as root for this'),
  })
  .describe('A supervised process');

/** The `service` section: services by name. Its presence enables the plugin, as in RoadRunner. */
export const serviceConfigSchema = z
  .record(z.string().min(1), serviceEntryConfigSchema)
  .describe('Supervised side processes by name (RoadRunner service): started with rr, output logged, managed over the service RPC');

/** The resolved `service` section. */
export type ServiceConfig = z.output<typeof serviceConfigSchema>;
/** The `service` section as written in YAML. */
export type ServiceConfigInput = z.input<typeof serviceConfigSchema>;
/** One resolved `service.<name>` entry. */
export type ServiceEntryConfig = z.output<typeof serviceEntryConfigSchema>;
