import { defineErrors } from '@rr/errors';

/**
 * The `@rr/config` error catalogue.
 *
 * @remarks Only `NOT_FOUND`, `UNREADABLE` and `INVALID` are thrown. The other codes label the entries of
 * `INVALID`'s `details.issues`; they are declared here too so the repo-wide catalogue test keeps them unique
 * and documented. The `INVALID_TYPE` … `CUSTOM` group is the zod issue family: `issuesFromZod` (and the
 * kernel's Standard Schema mapping) name a schema issue `RR_ERR_CONFIG_` + its upper-cased zod code.
 */
export const configErrors = defineErrors('CONFIG', {
  // ── thrown ────────────────────────────────────────────────────────────────────────────
  NOT_FOUND: {
    message: (file: string) => `config file not found: ${file}`,
    hint: 'pass the path with -c/--config (default .rr.yaml in the working directory)',
  },
  UNREADABLE: {
    message: (file: string, reason: string) => `cannot read config file ${file}: ${reason}`,
    hint: 'check the file permissions and that the path is a file, not a directory',
  },
  INVALID: {
    message: (source: string, lines: string) => `invalid configuration in ${source}:\n${lines}`,
    hint: 'fix every problem listed; each line names the dotted config path and its code',
  },

  // ── loader issues (entries of INVALID's details.issues) ─────────────────────────────────
  YAML_SYNTAX: {
    message: (where: string, reason: string) => `YAML syntax error at ${where}: ${reason}`,
  },
  ROOT_TYPE: {
    message: (file: string, actual: string) => `${file} must contain a YAML mapping at the top level, found ${actual}`,
  },
  VERSION_MISSING: {
    message: () => 'the config has no "version" key',
    hint: 'add version: "3" at the top of the file',
  },
  VERSION_TYPE: {
    message: (actual: string) => `"version" must be a string, found ${actual}`,
    hint: 'quote it: version: "3" (an unquoted 3 is a YAML number)',
  },
  VERSION_UNSUPPORTED: {
    message: (version: string) => `unsupported config version "${version}"; supported: "3" (and "2.7" with a warning)`,
    hint: 'set version: "3"; see https://docs.roadrunner.dev for the v3 format',
  },
  INCLUDE_INVALID: {
    message: (reason: string) => `invalid include entry: ${reason}`,
    hint: 'include takes a list of file paths relative to the root config, e.g. include: [logs.yaml]',
  },
  INCLUDE_NOT_FOUND: {
    message: (file: string) => `included file not found: ${file}`,
    hint: 'include paths are relative to the directory of the root config file',
  },
  INCLUDE_UNREADABLE: {
    message: (file: string, reason: string) => `cannot read included file ${file}: ${reason}`,
  },
  INCLUDE_VERSION_MISMATCH: {
    message: (file: string, found: string, root: string) => `included file ${file} has ${found}, but the root config declares version "${root}"`,
    hint: 'every included file must declare the same version as the root, e.g. version: "3"',
  },
  OVERRIDE_MALFORMED: {
    message: (flag: string, reason: string) => `malformed override "${flag}": ${reason}`,
    hint: 'use -o key.path=value, e.g. -o http.address=127.0.0.1:8080',
  },
  DOTENV_UNREADABLE: {
    message: (file: string, reason: string) => `cannot read dotenv file ${file}: ${reason}`,
    hint: 'check --dotenv, DOTENV_PATH or the envfile key; relative paths resolve against the config directory',
  },

  // ── the zod issue family (schema validation; see issuesFromZod) ─────────────────────────
  INVALID_TYPE: { message: (detail: string) => detail },
  TOO_BIG: { message: (detail: string) => detail },
  TOO_SMALL: { message: (detail: string) => detail },
  INVALID_FORMAT: { message: (detail: string) => detail },
  NOT_MULTIPLE_OF: { message: (detail: string) => detail },
  UNRECOGNIZED_KEYS: { message: (detail: string) => detail },
  INVALID_UNION: { message: (detail: string) => detail },
  INVALID_KEY: { message: (detail: string) => detail },
  INVALID_ELEMENT: { message: (detail: string) => detail },
  INVALID_VALUE: { message: (detail: string) => detail },
  CUSTOM: { message: (detail: string) => detail },
});

/** Warning codes `@rr/config` can report in `LoadedConfig.warnings` (never thrown). */
export const configWarnings = {
  /** `version: "2.7"`: accepted, but the v2.7 layout is deprecated upstream. */
  OLD_VERSION: 'RR_WARN_CONFIG_OLD_VERSION',
  /** An included file has its own `include` or `envfile` key; RoadRunner ignores both, and so do we. */
  INCLUDE_KEY_IGNORED: 'RR_WARN_CONFIG_INCLUDE_KEY_IGNORED',
} as const;

/** One of the `RR_WARN_CONFIG_*` codes. */
export type ConfigWarningCode = (typeof configWarnings)[keyof typeof configWarnings];
