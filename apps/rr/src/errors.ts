import { defineErrors } from '@rr/errors';

/** Errors of the rr command itself (argument parsing, process-level failures). */
export const cliErrors = defineErrors('CLI', {
  BAD_ARGS: { message: (detail: string) => `invalid arguments: ${detail}`, hint: 'run `rr --help`' },
  UNKNOWN_COMMAND: { message: (name: string) => `unknown command '${name}'`, hint: 'run `rr --help` for the list of commands' },
  NOTHING_TO_SERVE: {
    message: () => 'all plugins are disabled, nothing to serve',
    hint: 'add a section for a plugin (for example `http:` with `server:`) to your .rr.yaml',
  },
  PID_FILE: { message: (path: string) => `cannot use the pid file ${path}` },
  RPC_UNREACHABLE: { message: (address: string) => `cannot reach rr's RPC at ${address}`, hint: 'is `rr serve` running with an `rpc:` section?' },
});
