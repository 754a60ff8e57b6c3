import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import semver from 'semver';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { buildErrors } from './errors.js';

// npm's rule for package names (validate-npm-package-name, new-package form), without the length limit.
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
// The artifact is named after the distribution, so the name must be a plain file name.
const DIST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A string checked by `test`; a failure is a custom issue carrying the catalogue code (and its message). */
function checkedString(test: (s: string) => boolean, error: typeof buildErrors.CONFIG_INVALID_RANGE) {
  return z.string().superRefine((s, ctx) => {
    if (!test(s)) ctx.addIssue({ code: 'custom', message: error(s).message, params: { code: error.code } });
  });
}

const packageName = checkedString((s) => PACKAGE_NAME.test(s), buildErrors.CONFIG_INVALID_PACKAGE);
const range = checkedString((s) => semver.validRange(s) !== null, buildErrors.CONFIG_INVALID_RANGE);

const pluginEntry = z.union([
  packageName.describe('Shorthand: just the package name, resolved from the config directory (or --from)'),
  z
    .strictObject({
      package: packageName.describe('npm package name, e.g. @rr/plugin-http; its default export is the plugin'),
      version: range.optional().describe('semver range the resolved package must satisfy; an unresolvable package with a range is installed from the registry'),
      path: z.string().min(1).optional().describe('package directory on disk (relative to the config file); wins over node resolution'),
      export: z.string().regex(/^[A-Za-z_$][\w$]*$/, 'an export name').optional().describe('the export that is the plugin @default the package.json "rr": { "export" }, else the default export'),
    })
    .describe('One plugin: a package, optionally pinned by range or taken from a path'),
]);

const overrideEntry = z.union([
  checkedString((s) => isPathSpec(s) || semver.validRange(s) !== null, buildErrors.CONFIG_INVALID_RANGE).describe('a semver range, or a path when it starts with ".", "/" or "file:"'),
  z.strictObject({ version: range.describe('semver range every bundled copy must satisfy') }),
  z.strictObject({ path: z.string().min(1).describe('package directory every import of the package is redirected to') }),
]);

/** The rr-build.yaml schema. */
export const buildConfigSchema = z
  .strictObject({
    name: z
      .string()
      .regex(DIST_NAME, 'a plain file name: letters, digits, ".", "_" and "-"')
      .describe('Distribution name: the artifact file name and the first word of --version'),
    version: checkedString((s) => semver.valid(s) !== null, buildErrors.CONFIG_INVALID_VERSION)
      .optional()
      .describe('Distribution version (semver), printed by --version and answered by rpc.Version @default the runtime package version'),
    kernel: range.optional().describe('Range the resolved @rr/kernel must satisfy (e.g. ^1.0.0); every plugin is also checked against its own `kernel` range'),
    runtime: z
      .strictObject({
        package: packageName.default('@rr/cli').describe('Package whose "./runtime" export provides runCli'),
        version: range.optional().describe('semver range the runtime package must satisfy'),
        path: z.string().min(1).optional().describe('runtime package directory (relative to the config file)'),
      })
      .default({ package: '@rr/cli' })
      .describe('Where runCli comes from (the command line, signals, exit codes); @rr/cli by default'),
    plugins: z
      .array(pluginEntry)
      .min(1)
      .describe('The bill of materials, in registration order'),
    overrides: z
      .record(packageName, overrideEntry)
      .default({})
      .describe('Like npm overrides (Velox replaces): package → range or path, applied to every import of that package'),
    output: z
      .strictObject({
        dir: z.string().min(1).default('dist').describe('Output directory (relative to the config file); -o overrides it'),
        format: z.enum(['file', 'dir']).default('file').describe('file: one executable .mjs; dir: a directory with package.json and a manifest of what was bundled'),
        minify: z.boolean().optional().describe('Minify the bundle @default true (false when debug)'),
        sourcemap: z.boolean().optional().describe('Emit a source map and run with --enable-source-maps @default false (true when debug)'),
        node_flags: z.array(z.string().regex(/^--[a-z0-9-]+(=\S+)?$/, 'a node flag such as --max-semi-space-size=4')).default([]).describe('Flags put on the shebang line (#!/usr/bin/env -S node <flags>)'),
      })
      .default({ dir: 'dist', format: 'file', node_flags: [] })
      .describe('What to produce'),
    debug: z.boolean().default(false).describe('Debug build: no minification, source maps on'),
  });

/** The config as written (before defaults). */
export type BuildConfigInput = z.input<typeof buildConfigSchema>;

/** One plugin after normalisation; `path` is absolute. */
export interface PluginSpec {
  package: string;
  version?: string | undefined;
  path?: string | undefined;
  /** The export that is the plugin, when the config names one (else the manifest's, else default). */
  export?: string | undefined;
}

/** An override after normalisation: a range every bundled copy must satisfy, or a directory every import goes to. */
export type OverrideSpec = { kind: 'version'; range: string } | { kind: 'path'; path: string };

/** The validated, defaulted config with every path absolute. */
export interface BuildConfig {
  /** The config file (absolute), or a label for configs parsed from text. */
  file: string;
  /** Relative paths in the config resolve against this directory (the config file's). */
  dir: string;
  name: string;
  /** undefined: the runtime package's version (how apps/rr's default distribution gets @rr/cli's). */
  version?: string | undefined;
  kernel?: string | undefined;
  runtime: PluginSpec;
  plugins: PluginSpec[];
  overrides: Map<string, OverrideSpec>;
  output: { dir: string; format: 'file' | 'dir'; minify: boolean; sourcemap: boolean; nodeFlags: string[] };
  debug: boolean;
}

/** One problem in the config: where, which code, and what is wrong. */
export interface ConfigIssue {
  /** Dotted path (`plugins[2].version`); `''` for the file as a whole. */
  path: string;
  code: string;
  message: string;
}

function isPathSpec(value: string): boolean {
  return value.startsWith('.') || value.startsWith('/') || value.startsWith('file:');
}

/**
 * Reads and validates an rr-build.yaml. Every problem is reported at once in one `RR_ERR_BUILD_CONFIG_INVALID`.
 *
 * @throws RR_ERR_BUILD_CONFIG_NOT_FOUND, RR_ERR_BUILD_CONFIG_INVALID
 */
export function loadBuildConfig(file: string): BuildConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw buildErrors.CONFIG_NOT_FOUND(abs, { cause: err });
  }
  return parseBuildConfig(text, abs);
}

/**
 * Validates config text as if it were the file `file` (relative paths resolve against its directory).
 *
 * @throws RR_ERR_BUILD_CONFIG_INVALID
 */
export function parseBuildConfig(text: string, file: string): BuildConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const at = lines.linePos(e.pos[0]);
      return { path: '', code: buildErrors.CONFIG_YAML.code, message: `YAML: ${e.message.split('\n')[0] ?? e.message} (line ${at.line}, column ${at.col})` };
    });
    throw invalid(file, issues);
  }
  const raw: unknown = doc.toJS() ?? {};
  const parsed = buildConfigSchema.safeParse(raw);
  // Duplicates are found on the raw list so they are reported with the other problems (a zod refinement
  // on the list would only run once every entry is valid).
  const issues = [...(parsed.success ? [] : issuesOf(parsed.error.issues)), ...duplicates(raw)];
  if (!parsed.success || issues.length > 0) throw invalid(file, issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  const cfg = parsed.data;
  const dir = dirname(file);
  const at = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const spec = (p: string | { package: string; version?: string | undefined; path?: string | undefined; export?: string | undefined }): PluginSpec =>
    typeof p === 'string' ? { package: p } : { package: p.package, version: p.version, path: p.path === undefined ? undefined : at(p.path), ...(p.export === undefined ? {} : { export: p.export }) };
  const overrides = new Map<string, OverrideSpec>();
  for (const [name, value] of Object.entries(cfg.overrides)) {
    if (typeof value === 'string') overrides.set(name, isPathSpec(value) ? { kind: 'path', path: at(value.replace(/^file:/, '')) } : { kind: 'version', range: value });
    else if ('path' in value) overrides.set(name, { kind: 'path', path: at(value.path.replace(/^file:/, '')) });
    else overrides.set(name, { kind: 'version', range: value.version });
  }
  return {
    file,
    dir,
    name: cfg.name,
    version: cfg.version,
    kernel: cfg.kernel,
    runtime: spec(cfg.runtime),
    plugins: cfg.plugins.map(spec),
    overrides,
    output: {
      dir: at(cfg.output.dir),
      format: cfg.output.format,
      minify: cfg.output.minify ?? !cfg.debug,
      sourcemap: cfg.output.sourcemap ?? cfg.debug,
      nodeFlags: cfg.output.node_flags,
    },
    debug: cfg.debug,
  };
}

function duplicates(raw: unknown): ConfigIssue[] {
  const list = typeof raw === 'object' && raw !== null && Array.isArray((raw as { plugins?: unknown }).plugins) ? ((raw as { plugins: unknown[] }).plugins) : [];
  const seen = new Map<string, number>();
  const out: ConfigIssue[] = [];
  list.forEach((p, i) => {
    const name = typeof p === 'string' ? p : typeof p === 'object' && p !== null && typeof (p as { package?: unknown }).package === 'string' ? (p as { package: string }).package : undefined;
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else out.push({ path: `plugins[${i}]`, code: buildErrors.CONFIG_DUPLICATE_PACKAGE.code, message: buildErrors.CONFIG_DUPLICATE_PACKAGE(name, first).message });
  });
  return out;
}

function invalid(file: string, issues: ConfigIssue[]) {
  const lines = issues.map((i) => `  - ${i.path === '' ? '' : `${i.path}: `}${i.message} (${i.code})`).join('\n');
  return buildErrors.CONFIG_INVALID(file, lines, { details: { issues } });
}

type Segment = PropertyKey;

function joinPath(segments: readonly Segment[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const name = typeof seg === 'symbol' ? (seg.description ?? '') : seg;
      out = out === '' ? name : `${out}.${name}`;
    }
  }
  return out;
}

const upperSnake = (c: string) => c.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();

/**
 * zod issues → config issues. A union of a shorthand and an object (plugins, overrides) reports the
 * branch that got furthest, so `plugins[0].version` is named rather than a bare "invalid input".
 */
function issuesOf(list: readonly z.core.$ZodIssue[], prefix: readonly Segment[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of list) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const branch = bestBranch(issue.errors);
      if (branch !== undefined) {
        out.push(...issuesOf(branch, path));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: joinPath([...path, key]), code: buildErrors.CONFIG_UNRECOGNIZED_KEYS.code, message: `unrecognized key "${key}"` });
      continue;
    }
    const custom = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
    out.push({ path: joinPath(path), code: typeof custom === 'string' ? custom : `RR_ERR_BUILD_CONFIG_${upperSnake(issue.code)}`, message: issue.message });
  }
  return out;
}

// The branch whose issues are deepest (it matched the value's shape), unless every branch failed on the type.
function bestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  const typeOnly = (b: readonly z.core.$ZodIssue[]) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0;
  const shaped = branches.filter((b) => !typeOnly(b));
  if (shaped.length === 0) return undefined;
  return shaped.reduce((best, b) => (Math.max(...b.map((i) => i.path.length)) > Math.max(...best.map((i) => i.path.length)) ? b : best));
}
