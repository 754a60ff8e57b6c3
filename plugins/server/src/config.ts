import { bool, dsn, duration, envMap, stringOrList } from '@rr/config';
import { z } from 'zod';

const anyDsn = dsn();

// RoadRunner's own wording, kept so the message reads as users know it; our guidance follows.
const INVALID_DSN = 'invalid DSN (tcp://:6001, unix://file.sock)';

/**
 * `pipes`, `tcp://host:port` or `unix://path`, kept verbatim (it becomes RR_RELAY). An empty value is
 * `pipes`, as in RoadRunner. A TCP host must be one PHP's relay parser accepts (`[^:]+`), so an empty
 * host (`tcp://:7000`, fine for a Go listener) and IPv6 literals are refused here instead of failing in
 * every worker at start.
 */
const relaySchema = z
  .string()
  .transform((value, ctx) => {
    if (value === '' || value === 'pipes') return 'pipes';
    const parsed = anyDsn.safeParse(value);
    const invalid = (message: string) => {
      ctx.issues.push({ code: 'invalid_format', format: 'dsn', input: value, message });
      return z.NEVER;
    };
    if (!parsed.success) return invalid(`${INVALID_DSN}: '${value}'; use pipes, tcp://127.0.0.1:7000 or unix:///tmp/rr.sock`);
    const address = parsed.data;
    if (address.scheme === 'tcp' && address.host === '') {
      return invalid(
        `relay '${value}' has no host, and PHP workers cannot parse an address without one; write tcp://127.0.0.1:${String(address.port)} (or the interface to listen on)`,
      );
    }
    if (address.scheme === 'tcp' && address.host.includes(':')) {
      return invalid(`relay '${value}' is an IPv6 address, which PHP's relay parser does not accept; use an IPv4 address or a host name`);
    }
    return value;
  })
  .describe('How workers talk to rr: pipes (stdin/stdout), tcp://host:port or unix://path (rr listens, workers connect)');

/** A user or group name; a YAML number (a numeric id) is taken as its text. */
const accountName = (what: string) =>
  z
    .union([z.string(), z.int().nonnegative()])
    .transform((v) => String(v))
    .default('')
    .describe(what);

const onInitSchema = z
  .strictObject({
    command: stringOrList().describe('The command to run once before any worker starts (a string split on whitespace, or a list)'),
    exec_timeout: duration()
      .default(60_000)
      // RoadRunner treats 0 as unset, so 0 means the default rather than "no limit".
      .transform((ms) => (ms === 0 ? 60_000 : ms))
      .describe('The command is killed (with its process group) after this long (default 60s; 0 means the default)'),
    env: envMap().default({}).describe('Extra environment for the command (keys upper-cased, $VAR expanded against rr\'s environment)'),
    user: accountName('Run the command as this user (rr must run as root)'),
    exit_on_error: bool().default(false).describe('Fail rr\'s start when the command fails or times out (default: log and continue)'),
  })
  .describe('A one-shot command run before any worker starts');

/** The `server` section: RoadRunner's keys and defaults. */
export const serverConfigSchema = z
  .strictObject({
    command: stringOrList().describe('Worker command: a string split on whitespace, or a list of arguments (no shell)'),
    user: accountName('Run workers as this user (rr must run as root)'),
    group: accountName('Run workers with this group (rr must run as root); default: the user\'s primary group'),
    env: envMap().default({}).describe('Extra environment for every worker (keys upper-cased, $VAR expanded against rr\'s environment)'),
    relay: relaySchema.default('pipes'),
    relay_timeout: duration()
      .optional()
      .describe('Deprecated (RoadRunner v2): ignored with a warning; <plugin>.pool.allocate_timeout bounds worker start'),
    on_init: onInitSchema.optional(),
  })
  .describe('Worker factory: command, relay, environment and user shared by every worker pool');

/** The `server` section as written in YAML. */
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
/** The resolved `server` section (durations in ms, command as argv, env keys upper-cased). */
export type ServerConfig = z.output<typeof serverConfigSchema>;
/** The resolved `server.on_init` section. */
export type OnInitConfig = NonNullable<ServerConfig['on_init']>;
