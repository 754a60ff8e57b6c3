import { expandEnv, isPlainObject, setOwn, type Env } from './env.js';
import { configErrors } from './errors.js';
import { issueOf, type ConfigIssue } from './issues.js';
import { parseRrYaml } from './yaml.js';

/** A `-o key.path=value` flag that passed the syntax check. */
export interface ParsedOverride {
  key: string;
  segments: string[];
  /** The value with its surrounding quotes removed (not yet env-expanded). */
  value: string;
  quoted: boolean;
}

// Keys that would reach Object.prototype through a plain-object walk; no RoadRunner config uses them.
const reserved = new Set(['__proto__', 'prototype', 'constructor']);
const quoteChars = new Set(['"', "'", '`']);

/**
 * Checks the syntax of every `-o` flag. Problems are appended to `issues` (path `overrides[i]`, since a
 * malformed flag may have no usable key) so that they are reported with everything else.
 */
export function parseOverrides(flags: readonly string[], issues: ConfigIssue[]): ParsedOverride[] {
  const out: ParsedOverride[] = [];
  flags.forEach((flag, index) => {
    const bad = (reason: string) => issues.push(issueOf(configErrors.OVERRIDE_MALFORMED(flag, reason), `overrides[${index}]`));
    const eq = flag.indexOf('=');
    if (eq === -1) return bad('missing "=" between key and value');
    const key = flag.slice(0, eq).trim();
    let value = flag.slice(eq + 1).trim();
    if (key === '') return bad('the key is empty');
    const segments = key.split('.');
    if (segments.some((s) => s === '')) return bad(`the key "${key}" has an empty segment`);
    const taken = segments.find((s) => reserved.has(s));
    if (taken !== undefined) return bad(`"${taken}" cannot be used as a config key`);
    // RoadRunner refuses an empty value too; an explicit "" still sets an empty string.
    if (value === '') return bad('the value is empty; write key="" for an empty string');
    const first = value[0] as string;
    const quoted = value.length >= 2 && quoteChars.has(first) && value.endsWith(first);
    if (quoted) value = value.slice(1, -1).replaceAll(`\\${first}`, first);
    out.push({ key, segments, value, quoted });
  });
  return out;
}

/**
 * Applies parsed overrides to the root mapping, in order (a later flag wins).
 *
 * @remarks The value is env-expanded, then typed: a quoted value stays a string; an unquoted one that reads as
 * a YAML number, boolean or null becomes that (`num_workers=4` → 4), one starting with `[` or `{` is parsed as
 * a YAML flow collection (`a=[1,2]` → a list), anything else stays a string. `version` always stays a string,
 * because RoadRunner's `-o version=3` means the string "3". Intermediate keys are created as maps, replacing
 * a scalar or list in the way, as viper's `Set` does.
 */
export function applyOverrides(root: Record<string, unknown>, overrides: readonly ParsedOverride[], env: Env, issues: ConfigIssue[]): void {
  for (const o of overrides) {
    const expanded = expandEnv(o.value, env);
    const typed = o.quoted || o.key === 'version' ? { ok: true as const, value: expanded } : typeValue(expanded);
    if (!typed.ok) {
      issues.push(issueOf(configErrors.OVERRIDE_MALFORMED(`${o.key}=${o.value}`, typed.reason), o.key));
      continue;
    }
    setPath(root, o.segments, typed.value);
  }
}

function typeValue(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const flow = text.startsWith('[') || text.startsWith('{');
  // A leading '#' would make YAML read a comment (null); such a value is meant literally.
  if (!flow && text.startsWith('#')) return { ok: true, value: text };
  const doc = parseRrYaml(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]?.message.split('\n')[0] ?? 'invalid YAML';
    return flow ? { ok: false, reason: `the value is not a valid YAML flow collection: ${first}` } : { ok: true, value: text };
  }
  const value: unknown = doc.toJS();
  if (flow || value === null || typeof value === 'number' || typeof value === 'boolean') return { ok: true, value };
  // Block structures ("a: b", "- x") and strings: the user typed text, keep it verbatim.
  return { ok: true, value: text };
}

function setPath(root: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node = root;
  for (const seg of segments.slice(0, -1)) {
    const child = Object.hasOwn(node, seg) ? node[seg] : undefined;
    if (isPlainObject(child)) node = child;
    else {
      const created: Record<string, unknown> = {};
      setOwn(node, seg, created);
      node = created;
    }
  }
  setOwn(node, segments[segments.length - 1] as string, value);
}
