import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_VERSION } from '@rr/kernel';
import { cliErrors } from '../errors.js';

/** The template shipped with @rr/cli (`files` includes template/): src/commands and dist/commands sit two levels below. */
export const TEMPLATE_DIR = fileURLToPath(new URL('../../template/plugin/', import.meta.url));

const PLUGIN_ID = /^[a-z][a-z0-9_]*$/;
const PACKAGE_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/** The names one plugin goes by, derived from what `rr plugin new` was given. */
export interface PluginNames {
  /** npm package name, e.g. `rr-plugin-audit-log`. */
  packageName: string;
  /** Plugin id: YAML key, RPC namespace, logger channel, e.g. `audit_log`. */
  id: string;
  /** `auditLog` (the `auditLogPlugin` export). */
  camel: string;
  /** `AuditLog` (types). */
  pascal: string;
  /** `AUDIT_LOG` (the error area: `RR_ERR_AUDIT_LOG_*`). */
  upper: string;
}

/**
 * A plugin id (`audit_log` → package `rr-plugin-audit-log`) or a package name (`rr-plugin-audit-log`,
 * `@acme/rr-plugin-audit-log` → id `audit_log`).
 * @throws RR_ERR_CLI_PLUGIN_NAME_INVALID
 */
export function pluginNames(name: string): PluginNames {
  let packageName: string;
  let id: string;
  if (PLUGIN_ID.test(name)) {
    id = name;
    packageName = `rr-plugin-${name.replaceAll('_', '-')}`;
  } else if (PACKAGE_NAME.test(name)) {
    packageName = name;
    id = (name.split('/').pop() ?? name).replace(/^rr-plugin-/, '').replaceAll('-', '_');
    if (!PLUGIN_ID.test(id)) throw cliErrors.PLUGIN_NAME_INVALID(name, `the plugin id taken from it, '${id}', does not match ^[a-z][a-z0-9_]*$`);
  } else {
    throw cliErrors.PLUGIN_NAME_INVALID(name, 'it is neither a plugin id nor an npm package name');
  }
  const words = id.split('_').filter((w) => w !== '');
  const pascal = words.map((w) => (w[0] ?? '').toUpperCase() + w.slice(1)).join('');
  return { packageName, id, camel: (pascal[0] ?? '').toLowerCase() + pascal.slice(1), pascal, upper: id.toUpperCase() };
}

/**
 * `rr plugin new <name> [--dir <path>]`: writes a plugin package from the template into `dir` (default
 * `./<package name without scope>`), replacing the placeholders. Refuses a directory that is not empty.
 *
 * @throws RR_ERR_CLI_PLUGIN_NAME_INVALID, RR_ERR_CLI_PLUGIN_DIR_NOT_EMPTY, RR_ERR_CLI_PLUGIN_TEMPLATE_MISSING
 */
export function newPlugin(options: { name: string; dir?: string | undefined; cwd: string; templateDir?: string }): { dir: string; names: PluginNames; files: string[] } {
  const names = pluginNames(options.name);
  const templateDir = options.templateDir ?? TEMPLATE_DIR;
  if (!existsSync(join(templateDir, 'package.json'))) throw cliErrors.PLUGIN_TEMPLATE_MISSING(templateDir);
  const dir = resolve(options.cwd, options.dir ?? basename(names.packageName));
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) throw cliErrors.PLUGIN_DIR_NOT_EMPTY(dir, { details: { dir } });

  const values: Record<string, string> = {
    __PACKAGE_NAME__: names.packageName,
    __PLUGIN_ID__: names.id,
    __CAMEL__: names.camel,
    __PASCAL__: names.pascal,
    __UPPER__: names.upper,
    // The peer range a plugin built against this kernel declares: the same major.
    __KERNEL_RANGE__: `^${KERNEL_VERSION.split('.')[0] ?? '1'}.0.0`,
    __CONTRACTS_RANGE__: rangeOf('@rr/contracts'),
    __TESTKIT_RANGE__: rangeOf('@rr/testkit'),
    __CONFIG_RANGE__: rangeOf('@rr/config'),
  };
  // Literal tokens, not a pattern: `RR_ERR___UPPER___BAD_ARGUMENT` must become `RR_ERR_AUDIT_LOG_BAD_ARGUMENT`.
  const tokens = new RegExp(Object.keys(values).join('|'), 'g');
  const fill = (text: string) => text.replace(tokens, (token) => values[token] ?? token);
  const files: string[] = [];
  for (const source of walk(templateDir)) {
    // npm drops .gitignore files from published packages, so the template keeps it without the dot.
    const rel = relative(templateDir, source).replace(/(^|\/)gitignore$/, '$1.gitignore');
    const target = join(dir, fill(rel));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, fill(readFileSync(source, 'utf8')));
    files.push(relative(dir, target));
  }
  return { dir, names, files: files.sort() };
}

/** What `rr plugin new` prints. */
export function newPluginText(result: ReturnType<typeof newPlugin>, cwd: string): string {
  const where = relative(cwd, result.dir) || '.';
  return [
    `created ${result.names.packageName} (plugin id '${result.names.id}') in ${where}:`,
    ...result.files.map((f) => `  ${f}`),
    '',
    'next:',
    `  cd ${where} && npm install && npm run build && npm test`,
    `  then list it in your .rr.yaml:  plugins: [${relative(cwd, result.dir).startsWith('..') ? result.dir : `./${where}`}]`,
  ].join('\n');
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

/**
 * `^<version>` of an @rr package installed next to this CLI (found the way Node would find it from
 * here), or `latest` when it is not (a bundled distribution, or a package the CLI does not depend on).
 */
function rangeOf(name: string): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const file = join(d, 'node_modules', name, 'package.json');
    if (existsSync(file)) {
      const version: unknown = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
      return typeof version === 'string' ? `^${version}` : 'latest';
    }
    if (dirname(d) === d) return 'latest';
  }
}
