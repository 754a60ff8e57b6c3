import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter } from 'yaml';
import { loadDotenv, reasonOf } from './dotenv.js';
import { expandDeep, expandEnv, isPlainObject, processEnv, setOwn, type Env } from './env.js';
import { configErrors, configWarnings, type ConfigWarningCode } from './errors.js';
import { formatIssues, issueOf, type ConfigIssue } from './issues.js';
import { applyOverrides, parseOverrides } from './overrides.js';
import { parseRrYaml } from './yaml.js';

/** Options shared by `loadConfig` and `loadConfigText`. */
export interface LoadOptions {
  /**
   * The working directory (`rr -w`). Relative `dotenv` paths resolve against it. Defaults to the config's
   * directory, which is where RoadRunner chdirs to when `-w` is not given.
   */
  workDir?: string;
  /** `-o` flags, each `key.path=value`, applied in order. */
  overrides?: readonly string[];
  /** A .env file to load first (`--dotenv`). When absent, `DOTENV_PATH` from `env` is used. */
  dotenv?: string;
  /**
   * The environment to expand `${VAR}` from. It is copied, never modified. Defaults to a copy of
   * `process.env`; pass it explicitly in tests and embedders so nothing depends on the real process.
   */
  env?: Readonly<Env>;
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions extends LoadOptions {
  /** Path of the root `.rr.yaml`. A relative path resolves against the current directory (like `rr -c`). */
  file: string;
}

/** Options of `loadConfigText`. */
export interface LoadTextOptions extends LoadOptions {
  /** Directory that relative `include:` and `envfile:` paths resolve against. Defaults to `workDir`, then the current directory. */
  dir?: string;
  /** How the text is named in messages. Default `<text>`. */
  name?: string;
}

/** A non-fatal finding; the caller decides how to show it (the app prints each code once). */
export interface ConfigWarning {
  code: ConfigWarningCode;
  message: string;
}

/** The result of loading: the raw (unvalidated) sections plus what was learned on the way. */
export interface LoadedConfig {
  /** The root's `version` value after the gate: `"3"` or `"2.7"`. */
  version: string;
  /** Every top-level key except `version`, `include` and `envfile`; plain objects, expanded and overridden. */
  sections: Record<string, unknown>;
  /** Absolute paths of the root file (absent for `loadConfigText`) then each included file, in merge order. */
  files: string[];
  /** The environment after the dotenv files were applied (a copy; `process.env` is never written). */
  env: Env;
  warnings: ConfigWarning[];
  /** The effective working directory: `workDir` when given, otherwise the config's directory. */
  workDir: string;
}

/** Top-level keys that steer loading and are not sections. */
const loaderKeys = new Set(['version', 'include', 'envfile']);

/**
 * Loads a RoadRunner-style `.rr.yaml`: dotenv, YAML, `${VAR}` expansion, `-o` overrides, the version gate
 * and `include:`, in that order (see the package README for each rule).
 *
 * @throws RR_ERR_CONFIG_NOT_FOUND when the root file does not exist.
 * @throws RR_ERR_CONFIG_UNREADABLE when the root file exists but cannot be read.
 * @throws RR_ERR_CONFIG_INVALID listing every problem found (`details.issues: ConfigIssue[]`).
 *
 * @example
 * const cfg = await loadConfig({ file: '.rr.yaml', overrides: ['http.address=:8080'], env: { ...process.env } });
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const file = resolve(options.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw configErrors.NOT_FOUND(file, { cause: err, details: { file } });
    throw configErrors.UNREADABLE(file, reasonOf(err), { cause: err, details: { file } });
  }
  return loadSource(text, { ...options, file, name: file, dir: dirname(file) });
}

/**
 * Loads config from YAML text, with the same steps and errors as `loadConfig` (for tests and embedding).
 *
 * @throws RR_ERR_CONFIG_INVALID listing every problem found (`details.issues: ConfigIssue[]`).
 */
export async function loadConfigText(text: string, options: LoadTextOptions = {}): Promise<LoadedConfig> {
  const dir = resolve(options.dir ?? options.workDir ?? '.');
  return loadSource(text, { ...options, file: undefined, name: options.name ?? '<text>', dir });
}

interface Source extends LoadOptions {
  file: string | undefined;
  name: string;
  dir: string;
}

async function loadSource(text: string, src: Source): Promise<LoadedConfig> {
  const env: Env = { ...(src.env ?? processEnv()) };
  const workDir = resolve(src.workDir ?? src.dir);
  const issues: ConfigIssue[] = [];
  const warnings: ConfigWarning[] = [];
  const files = src.file === undefined ? [] : [src.file];

  // --dotenv, else DOTENV_PATH: before anything is expanded, so the file's variables are visible everywhere.
  // An empty --dotenv or DOTENV_PATH means "none", not "the working directory".
  const dotenv = src.dotenv || env.DOTENV_PATH;
  if (dotenv !== undefined && dotenv !== '') {
    const path = resolve(workDir, dotenv);
    const reason = await loadDotenv(path, env);
    if (reason !== undefined) issues.push(issueOf(configErrors.DOTENV_UNREADABLE(path, reason), 'dotenv'));
  }

  // Override syntax is checked up front so a broken flag is reported even when the YAML is broken too.
  const overrides = parseOverrides(src.overrides ?? [], issues);
  const parsed = parseYaml(text, src.name, '', issues);
  let version: string | undefined;
  let sections: Record<string, unknown> = {};
  if (parsed !== undefined) {
    // envfile: read before expansion (RoadRunner does the same), relative to the config's directory.
    await loadEnvfile(parsed, src.dir, env, issues);
    // Then, in RoadRunner's order: ${VAR} expansion, -o overrides, the version gate, include.
    const root = expandDeep(parsed, env) as Record<string, unknown>;
    applyOverrides(root, overrides, env, issues);
    version = checkVersion(root, issues, warnings);
    await applyIncludes(root, { dir: src.dir, env, rootVersion: version, issues, warnings, files });
    sections = omitLoaderKeys(root);
  }

  if (issues.length > 0 || version === undefined) {
    throw configErrors.INVALID(src.name, formatIssues(issues), { details: { issues, ...(src.file === undefined ? {} : { file: src.file }) } });
  }
  return { version, sections, files, env, warnings, workDir };
}

/** Parses one YAML document; syntax errors become issues at `path` with `file:line:col`. */
function parseYaml(text: string, name: string, path: string, issues: ConfigIssue[]): Record<string, unknown> | undefined {
  const lineCounter = new LineCounter();
  const doc = parseRrYaml(text, lineCounter);
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      issues.push(issueOf(configErrors.YAML_SYNTAX(`${name}:${line}:${col}`, err.message), path));
    }
    return undefined;
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // Only alias problems get here (an alias to nothing, or alias expansion beyond the safety limit).
    issues.push(issueOf(configErrors.YAML_SYNTAX(name, err instanceof Error ? err.message : String(err)), path));
    return undefined;
  }
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    issues.push(issueOf(configErrors.ROOT_TYPE(name, describe(value)), path));
    return undefined;
  }
  return value;
}

async function loadEnvfile(root: Record<string, unknown>, dir: string, env: Env, issues: ConfigIssue[]): Promise<void> {
  if (!Object.hasOwn(root, 'envfile')) return;
  const raw = root.envfile;
  if (typeof raw !== 'string' || raw === '') {
    issues.push({ path: 'envfile', code: configErrors.INVALID_TYPE.code, message: `envfile must be a file path, found ${describe(raw)}` });
    return;
  }
  const path = resolve(dir, expandEnv(raw, env));
  const reason = await loadDotenv(path, env);
  if (reason !== undefined) issues.push(issueOf(configErrors.DOTENV_UNREADABLE(path, reason), 'envfile'));
}

/** RoadRunner's gate: a string; "3" is current, "2.7" still loads with a warning. */
function checkVersion(root: Record<string, unknown>, issues: ConfigIssue[], warnings: ConfigWarning[]): string | undefined {
  if (!Object.hasOwn(root, 'version')) {
    issues.push(issueOf(configErrors.VERSION_MISSING(), 'version'));
    return undefined;
  }
  const v = root.version;
  if (typeof v !== 'string') {
    issues.push(issueOf(configErrors.VERSION_TYPE(describe(v)), 'version'));
    return undefined;
  }
  if (v === '3') return v;
  if (v === '2.7') {
    warnings.push({
      code: configWarnings.OLD_VERSION,
      message: 'config version "2.7" is deprecated; update to version: "3" (see https://docs.roadrunner.dev, "v3.0 configuration")',
    });
    return v;
  }
  issues.push(issueOf(configErrors.VERSION_UNSUPPORTED(v), 'version'));
  return undefined;
}

interface IncludeContext {
  dir: string;
  env: Env;
  rootVersion: string | undefined;
  issues: ConfigIssue[];
  warnings: ConfigWarning[];
  files: string[];
}

/**
 * Merges each included file over the root, in list order: its top-level keys replace the root's whole
 * section (a shallow merge, as RoadRunner does), so a later include wins and an include also replaces a
 * section an `-o` flag changed. Included files' own `include`/`envfile` keys are ignored, as in RoadRunner.
 */
async function applyIncludes(root: Record<string, unknown>, ctx: IncludeContext): Promise<void> {
  if (!Object.hasOwn(root, 'include') || root.include === null) return;
  const raw = root.include;
  const entries: [number, string][] = [];
  if (typeof raw === 'string') {
    // RoadRunner reads include through viper's GetStringSlice, which splits a plain string on whitespace.
    raw.split(/\s+/).filter((s) => s !== '').forEach((s, i) => entries.push([i, s]));
  } else if (Array.isArray(raw)) {
    raw.forEach((entry: unknown, i) => {
      if (typeof entry === 'string' && entry !== '') entries.push([i, entry]);
      else ctx.issues.push(issueOf(configErrors.INCLUDE_INVALID(`expected a file path, found ${describe(entry)}`), `include[${i}]`));
    });
  } else {
    ctx.issues.push(issueOf(configErrors.INCLUDE_INVALID(`include must be a list of file paths, found ${describe(raw)}`), 'include'));
    return;
  }

  for (const [i, entry] of entries) {
    const path = `include[${i}]`;
    const file = resolve(ctx.dir, entry);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      ctx.issues.push(
        issueOf(code === 'ENOENT' || code === 'ENOTDIR' ? configErrors.INCLUDE_NOT_FOUND(file) : configErrors.INCLUDE_UNREADABLE(file, reasonOf(err)), path),
      );
      continue;
    }
    const parsed = parseYaml(text, file, path, ctx.issues);
    if (parsed === undefined) continue;
    // With no valid root version there is nothing to compare against; the root's own issue says why.
    if (ctx.rootVersion !== undefined && parsed.version !== ctx.rootVersion) {
      const found = parsed.version === undefined ? 'no version' : typeof parsed.version === 'string' ? `version "${parsed.version}"` : `a version that is not a string (${describe(parsed.version)})`;
      ctx.issues.push(issueOf(configErrors.INCLUDE_VERSION_MISMATCH(file, found, ctx.rootVersion), path));
    }
    for (const key of ['include', 'envfile']) {
      if (Object.hasOwn(parsed, key)) {
        ctx.warnings.push({ code: configWarnings.INCLUDE_KEY_IGNORED, message: `${file}: the "${key}" key of an included file is ignored; put it in the root config` });
      }
    }
    const expanded = expandDeep(parsed, ctx.env) as Record<string, unknown>;
    for (const [key, value] of Object.entries(expanded)) if (!loaderKeys.has(key)) setOwn(root, key, value);
    ctx.files.push(file);
  }
}

function omitLoaderKeys(root: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(root)) if (!loaderKeys.has(key)) setOwn(out, key, value);
  return out;
}

/** Names a value's YAML type for messages ("the number 3", "a list"). */
function describe(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string "${value}"`;
  return `the ${typeof value} ${String(value)}`;
}
