import { defineErrors } from '@rr/errors';

/**
 * The rr-build error catalogue.
 *
 * @remarks `CONFIG_INVALID` carries `details.issues: [{ path, code, message }]`; the issue codes are the
 * `CONFIG_*` entries below (the zod family is `RR_ERR_BUILD_CONFIG_` + the upper-cased zod code, as
 * `@rr/config` does for `.rr.yaml`). They are declared here so the repo-wide catalogue test keeps them
 * unique and documented.
 */
export const buildErrors = defineErrors('BUILD', {
  // ── command line ─────────────────────────────────────────────────────────────────────────
  USAGE: {
    message: (reason: string) => reason,
    hint: 'run rr-build --help',
  },

  // ── the build config ─────────────────────────────────────────────────────────────────────
  CONFIG_NOT_FOUND: {
    message: (file: string) => `build config not found: ${file}`,
    hint: 'pass the path with -c/--config (default rr-build.yaml in the working directory)',
  },
  CONFIG_INVALID: {
    message: (file: string, lines: string) => `invalid build config ${file}:\n${lines}`,
    hint: 'fix every problem listed; each line names the dotted path and its code (apps/build/README.md lists the keys)',
  },
  CONFIG_YAML: { message: (detail: string) => detail },
  CONFIG_INVALID_RANGE: {
    message: (range: string) => `"${range}" is not a semver range`,
    hint: 'use an npm range such as ^1.2.0, ~1.2 or 1.2.3',
  },
  CONFIG_INVALID_VERSION: {
    message: (version: string) => `"${version}" is not a semver version`,
    hint: 'the distribution version is printed by --version; use e.g. 1.0.0',
  },
  CONFIG_INVALID_PACKAGE: {
    message: (name: string) => `"${name}" is not an npm package name`,
    hint: 'use the name from the package.json, e.g. @rr/plugin-http',
  },
  CONFIG_DUPLICATE_PACKAGE: {
    message: (name: string, first: number) => `${name} is listed twice (first at plugins[${first}])`,
    hint: 'list each plugin package once',
  },
  // The zod issue family (see issues() in config.ts).
  CONFIG_INVALID_TYPE: { message: (detail: string) => detail },
  CONFIG_TOO_BIG: { message: (detail: string) => detail },
  CONFIG_TOO_SMALL: { message: (detail: string) => detail },
  CONFIG_INVALID_FORMAT: { message: (detail: string) => detail },
  CONFIG_UNRECOGNIZED_KEYS: { message: (detail: string) => detail },
  CONFIG_INVALID_UNION: { message: (detail: string) => detail },
  CONFIG_INVALID_VALUE: { message: (detail: string) => detail },
  CONFIG_INVALID_KEY: { message: (detail: string) => detail },
  CONFIG_INVALID_ELEMENT: { message: (detail: string) => detail },
  CONFIG_NOT_MULTIPLE_OF: { message: (detail: string) => detail },
  CONFIG_CUSTOM: { message: (detail: string) => detail },

  // ── resolution and checks ────────────────────────────────────────────────────────────────
  RESOLVE_FAILED: {
    message: (lines: string) => `the distribution cannot be resolved:\n${lines}`,
    hint: 'fix every problem listed (details.problems has each code)',
  },
  PACKAGE_NOT_FOUND: {
    message: (name: string, from: string) => `${name} cannot be resolved from ${from}`,
    hint: 'install it there, point --from at a directory that has it, give it a path, or give it a version range so rr-build installs it from the registry',
  },
  PATH_NOT_A_PACKAGE: {
    message: (name: string, dir: string, reason: string) => `path of ${name} (${dir}) is not that package: ${reason}`,
    hint: 'a path names the package directory (the one holding its package.json); paths are relative to the build config',
  },
  VERSION_MISMATCH: {
    message: (name: string, range: string, version: string, dir: string) => `${name} resolved to ${version} (${dir}), which does not satisfy ${range}`,
    hint: 'install a matching version, change the range, or pin another copy with overrides (a version or a path)',
  },
  KERNEL_MISMATCH: {
    message: (what: string, range: string, version: string) => `${what} needs kernel ${range}, but the resolved @rr/kernel is ${version}`,
    hint: 'use plugin versions built for this kernel (every plugin of a distribution must come from one kernel major)',
  },
  MIXED_MAJORS: {
    message: (list: string) => `the distribution would mix @rr/kernel majors: ${list}`,
    hint: 'every plugin must come from one kernel major line; upgrade or pin the odd ones (overrides: { "@rr/kernel": <path or version> })',
  },
  NOT_A_PLUGIN: {
    message: (name: string, reason: string) => `${name} does not export an rr plugin: ${reason}`,
    hint: 'a plugin package default-exports the object definePlugin() returns, or names its export in package.json "rr": { "export" } (or the build config\'s export)',
  },
  DUPLICATE_PLUGIN_ID: {
    message: (id: string, packages: string) => `plugin id "${id}" comes from more than one package: ${packages}`,
    hint: 'a plugin id is its config section and RPC namespace; keep one package per id',
  },
  INSPECT_FAILED: {
    message: (reason: string) => `importing the plugins to read their ids and kernel ranges failed: ${reason}`,
    hint: 'the packages must be built (dist/) and importable by node; run the import yourself to see the full error',
  },
  INSTALL_FAILED: {
    message: (specs: string, dir: string, reason: string) => `npm install ${specs} in ${dir} failed: ${reason}`,
    hint: 'check the package names and ranges and that the registry is reachable (npm config get registry)',
  },
  OVERRIDE_NOT_APPLIED: {
    message: (name: string, wanted: string, found: string) => `override of ${name} (${wanted}) is not what got bundled: ${found}`,
    hint: 'an override redirects every import of the package; check that the override path or version resolves',
  },

  // ── bundling, smoke test, output ─────────────────────────────────────────────────────────
  BUNDLE_FAILED: {
    message: (detail: string) => `esbuild failed:\n${detail}`,
    hint: 'a package that cannot be bundled (native addon, dynamic require of a computed path) can be kept out with a dir-format build and overrides',
  },
  OUTPUT_FAILED: {
    message: (path: string, reason: string) => `cannot write ${path}: ${reason}`,
    hint: 'check that the output directory (-o / output.dir) is writable',
  },
  SMOKE_FAILED: {
    message: (artifact: string, reason: string) => `smoke test of ${artifact} failed: ${reason}`,
    hint: 'run the artifact with --version yourself to see the error',
  },
  SMOKE_MISMATCH: {
    message: (expected: string, actual: string) => `--version lists plugins [${actual}], expected exactly [${expected}]`,
    hint: 'the bundle does not contain the configured plugins; report it with the build config',
  },
  GENERATED_STALE: {
    message: (file: string) => `${file} is not what the build config generates`,
    hint: 'run the same rr-build generate command without --check to rewrite it',
  },
});
