import { defineErrors } from '@rr/errors';

/**
 * The server plugin's error catalogue (`RR_ERR_SERVER_*`). Config mistakes (a bad `relay`, a missing
 * `command`) are not here: the kernel reports them as `RR_ERR_KERNEL_CONFIG_INVALID` issues with dotted paths.
 */
export const serverErrors = defineErrors('SERVER', {
  UNKNOWN_USER: {
    message: (key: string, user: string) => `${key}: user '${user}' does not exist on this system (not found in /etc/passwd)`,
    hint: 'create the user, or fix the name under server.user / server.on_init.user',
  },
  UNKNOWN_GROUP: {
    message: (key: string, group: string) => `${key}: group '${group}' does not exist on this system (not found in /etc/group)`,
    hint: 'create the group, or fix the name under server.group',
  },
  NOT_ROOT: {
    message: (key: string, uid: number) =>
      `${key} asks to run processes as another user, which needs root, but rr runs as uid ${String(uid)}`,
    hint: 'start rr as root, or remove server.user / server.group / server.on_init.user and run rr as the worker user',
  },
  ON_INIT_FAILED: {
    message: (command: string, why: string) => `server.on_init command '${command}' failed: ${why}`,
    hint: 'fix the command, or set server.on_init.exit_on_error: false to log the failure and start anyway',
  },
  ON_INIT_TIMEOUT: {
    message: (command: string, timeoutMs: number) =>
      `server.on_init command '${command}' did not finish within ${String(timeoutMs)} ms and was killed`,
    hint: 'raise server.on_init.exec_timeout, or make the command finish sooner',
  },
  RELAY_LISTEN_FAILED: {
    message: (relay: string, why: string) => `server.relay: cannot listen on '${relay}' for workers: ${why}`,
    hint: 'pick a free port or socket path for server.relay, or use relay: pipes',
  },
  POOL_START_FAILED: {
    message: (pool: string, why: string) => `the '${pool}' worker pool failed to start: ${why}`,
    hint: 'check the worker command (server.command or <plugin>.pool.command) and the worker output logged above',
  },
  STOPPED: {
    message: (pool: string) => `cannot create the '${pool}' worker pool: the server plugin is stopping`,
  },
});

/** Deprecation codes, logged once per init (never thrown). */
export const serverDeprecations = {
  /** `server.relay_timeout`: RoadRunner v2's key, ignored since the pool's `allocate_timeout` bounds worker start. */
  RELAY_TIMEOUT: 'RR_DEP_SERVER_001',
} as const;
