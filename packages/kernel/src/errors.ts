import { RrError, defineErrors } from '@rr/errors';

/**
 * The kernel's error catalogue. Every code is `RR_ERR_KERNEL_<KEY>`; callers branch on `code`
 * (`isRrError(err, kernelErrors.CYCLE.code)`), never on the message.
 */
export const kernelErrors = defineErrors('KERNEL', {
  INVALID_OPTIONS: {
    message: (problem: string) => `invalid kernel options: ${problem}`,
  },
  INVALID_PLUGIN_ID: {
    message: (id: string) => `plugin id ${JSON.stringify(id)} is invalid: ids must match ^[a-z][a-z0-9_]*$`,
    hint: 'the id is the YAML key, RPC namespace and logger name: use lowercase snake case, e.g. proxy_ip_parser',
  },
  INVALID_PLUGIN: {
    message: (plugin: string, problem: string) => `plugin '${plugin}' is malformed: ${problem}`,
    hint: 'build plugins with definePlugin() and refs with ref()/manyRef()',
  },
  DUPLICATE_PLUGIN: {
    message: (id: string) => `plugin '${id}' is registered twice`,
    hint: 'list each plugin once in the bill of materials (apps/rr/src/plugins.ts)',
  },
  VERSION_MISMATCH: {
    message: (plugin: string, range: string, version: string) =>
      `plugin '${plugin}' requires kernel ${range}, but this kernel is ${version}`,
    hint: 'upgrade the plugin, or use a kernel version inside its range',
  },
  MISSING_PROVIDER: {
    message: (plugin: string, refId: string) => `plugin '${plugin}' needs ${refId}, but no registered plugin provides it`,
    hint: 'add the plugin that provides this ref to the plugin list, or declare the ref under optional',
  },
  DUPLICATE_PROVIDER: {
    message: (refId: string, plugins: string) => `${refId} is provided by more than one plugin: ${plugins}`,
    hint: 'a ref() has exactly one provider; use manyRef() when several plugins contribute',
  },
  CYCLE: {
    message: (path: string) => `dependency cycle: ${path}`,
    hint: 'break the cycle: move the shared part into its own plugin, or make one edge optional at serve time',
  },
  CONFIG_INVALID: {
    message: (summary: string) => `configuration is invalid:\n${summary}`,
    hint: 'fix the listed keys in .rr.yaml; each issue names its dotted path',
  },
  NEED_DISABLED: {
    message: (plugin: string, refId: string, why: string) => `${plugin} needs ${refId}; ${why}`,
    hint: 'enable the provider (usually by adding its config section), or remove the section of the plugin that needs it',
  },
  UNDECLARED_REF: {
    message: (plugin: string, field: string, key: string) =>
      `plugin '${plugin}' read ${field}.${key}, which it did not declare`,
    hint: 'declare every ref the plugin uses in needs, optional or collects',
  },
  PROVIDES_MISMATCH: {
    message: (plugin: string, problem: string) => `plugin '${plugin}' init returned provides that do not match its declaration: ${problem}`,
    hint: 'return exactly the keys declared in provides, each with a value',
  },
  INIT_FAILED: {
    message: (plugin: string, cause: string) => `plugin '${plugin}' failed to init: ${cause}`,
  },
  SERVE_FAILED: {
    message: (plugin: string, cause: string) => `plugin '${plugin}' failed while serving: ${cause}`,
  },
  STOP_FAILED: {
    message: (subject: string, cause: string) => `${subject} failed to stop: ${cause}`,
  },
  STOP_TIMEOUT: {
    message: (plugin: string, timeoutMs: number) => `plugin '${plugin}' did not stop within ${String(timeoutMs)} ms; moving on`,
    hint: 'make stop() honour its AbortSignal, or raise the stop timeout',
  },
  STARTUP: {
    message: (count: number, summary: string) => `rr failed to start (${String(count)} problems):\n${summary}`,
  },
  START_ABORTED: {
    message: () => 'start was interrupted by stop(); every plugin that had initialised was stopped',
  },
  INVALID_STATE: {
    message: (action: string, state: string) => `cannot ${action} a kernel that is ${state}`,
    hint: 'a kernel starts once; create a new kernel to start again',
  },
});

/** Warning codes the kernel logs (never thrown). A code is never reused for another meaning. */
export const kernelWarnings = {
  /** A top-level config key that no registered plugin owns. */
  UNKNOWN_SECTION: 'RR_WARN_CONFIG_UNKNOWN_SECTION',
} as const;

/**
 * An invariant violation inside the kernel. Never thrown for a user or plugin mistake.
 * @internal
 */
export function internalError(what: string, cause?: unknown): RrError {
  return new RrError('RR_ERR_INTERNAL', `kernel invariant violated: ${what}; this is a bug`, { cause });
}

/** A short, single-line description of any thrown value, for messages that wrap it. */
export function summarize(err: unknown): string {
  if (err instanceof RrError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

function line(err: RrError): string {
  return `  - ${err.code}${err.plugin === undefined ? '' : ` (${err.plugin})`}: ${err.message.split('\n')[0] ?? ''}`;
}

/**
 * One error for a list of startup failures: the error itself when there is one, otherwise
 * `RR_ERR_KERNEL_STARTUP` with every failure in `details.errors`.
 */
export function startupError(errors: readonly RrError[]): RrError {
  if (errors.length === 1 && errors[0] !== undefined) return errors[0];
  return kernelErrors.STARTUP(errors.length, errors.map(line).join('\n'), { details: { errors: [...errors] } });
}

/** The aggregate `RR_ERR_KERNEL_STOP_FAILED` of every per-plugin stop failure. */
export function stopError(errors: readonly RrError[]): RrError {
  const subject = errors.length === 1 ? '1 plugin' : `${String(errors.length)} plugins`;
  return kernelErrors.STOP_FAILED(subject, `\n${errors.map(line).join('\n')}`, { details: { errors: [...errors] } });
}
