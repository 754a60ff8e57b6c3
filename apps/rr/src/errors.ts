import { defineErrors } from '@rr/errors';

/** Errors of the rr command itself (argument parsing, process-level failures, plugins loaded from config). */
export const cliErrors = defineErrors('CLI', {
  BAD_ARGS: { message: (detail: string) => `invalid arguments: ${detail}`, hint: 'run `rr --help`' },
  UNKNOWN_COMMAND: { message: (name: string) => `unknown command '${name}'`, hint: 'run `rr --help` for the list of commands' },
  NOTHING_TO_SERVE: {
    message: () => 'all plugins are disabled, nothing to serve',
    hint: 'add a section for a plugin (for example `http:` with `server:`) to your .rr.yaml',
  },
  PID_FILE: { message: (path: string) => `cannot use the pid file ${path}` },
  RPC_UNREACHABLE: { message: (address: string) => `cannot reach rr's RPC at ${address}`, hint: 'is `rr serve` running with an `rpc:` section?' },

  // The `plugins:` section: third-party plugins loaded at start.
  PLUGINS_CONFIG_INVALID: {
    message: (summary: string) => `the plugins section is invalid:\n${summary}`,
    hint: 'plugins: is a list of npm package names or paths (./x, ../x, /abs), e.g. `plugins: [rr-plugin-greeter, ./plugins/audit]`',
  },
  PLUGIN_NOT_FOUND: {
    message: (path: string, entry: string, problem: string) => `${path}: plugin '${entry}' was not found: ${problem}`,
    hint: 'install the package where the config can see it (node_modules next to .rr.yaml or above), or fix the path; paths start with ./, ../ or / and are relative to the config file',
  },
  PLUGIN_LOAD_FAILED: {
    message: (path: string, entry: string, cause: string) => `${path}: plugin '${entry}' failed to load: ${cause}`,
    hint: 'build the plugin package (its exports or main must point at JavaScript) and install its dependencies',
  },
  PLUGIN_INVALID: {
    message: (path: string, entry: string, problem: string) => `${path}: plugin '${entry}' ${problem}`,
    hint: 'a plugin package exports a definePlugin({...}) value from @rr/kernel: as its default export, a named export, or an array of them',
  },
  PLUGIN_DUPLICATE: {
    message: (path: string, entry: string, id: string, other: string) => `${path}: plugin '${entry}' has id '${id}', which ${other}`,
    hint: 'list each plugin once; plugins compiled into rr (rr --version) need no entry in plugins:',
  },
  PLUGIN_KERNEL_MISMATCH: {
    message: (path: string, entry: string, range: string, where: string, version: string) =>
      `${path}: plugin '${entry}' requires kernel ${range} (${where}), but this rr's kernel is ${version}`,
    hint: 'install a version of the plugin built for this kernel (see its peerDependencies["@rr/kernel"]), or run an rr whose kernel is inside that range',
  },
  PLUGINS_FAILED: {
    message: (count: number, summary: string) => `${String(count)} configured plugins could not be loaded:\n${summary}`,
    hint: 'fix every entry listed under plugins: in .rr.yaml',
  },

  // `rr plugin new`.
  PLUGIN_NAME_INVALID: {
    message: (name: string, problem: string) => `cannot create a plugin named '${name}': ${problem}`,
    hint: 'pass a plugin id (lowercase snake case, e.g. audit_log) or a package name ending in it (rr-plugin-audit-log, @acme/rr-plugin-audit-log)',
  },
  PLUGIN_DIR_NOT_EMPTY: {
    message: (dir: string) => `refusing to write the plugin into ${dir}: the directory is not empty`,
    hint: 'choose an empty or new directory with --dir',
  },
  PLUGIN_TEMPLATE_MISSING: {
    message: (dir: string) => `the plugin template is not in this rr build (looked in ${dir})`,
    hint: 'run `rr plugin new` from the @rr/cli package, which ships template/',
  },
});
