/** An environment: variable name → value; `undefined` means unset. */
export type Env = Record<string, string | undefined>;

/**
 * The one place `@rr/config` reads `process`: a copy of the process environment, used when a caller passes
 * no `env`. Loading then works on the copy, so dotenv files never leak into the real `process.env`.
 */
export function processEnv(): Env {
  return { ...process.env };
}

/**
 * Expands `$VAR`, `${VAR}` and `${VAR:-default}` in one string.
 *
 * @remarks
 * - An unset variable expands to `""`. `${VAR:-default}` uses `default` when `VAR` is unset **or empty**
 *   (RoadRunner and the shell agree on that).
 * - Each reference is expanded on its own. RoadRunner instead switches to its default-parsing branch when the
 *   *whole value* contains `:-`, so there `${A:-1} $B` or `$HOME a:-b` collapse to `""`; nobody can rely on
 *   that, so we do not reproduce it.
 * - The default is taken literally up to the first `}` (as in RoadRunner): `${A:-${B}}` is not nested.
 * - `$$` is a literal `$`; a `$` not followed by a name or `{` stays as it is, and so does an unterminated
 *   `${`. RoadRunner (Go's `os.Expand`) turns `$1`, `$$`, `$*` into `""`, which silently mangles passwords;
 *   we keep them, and `$$` gives a way to write a `$` before a name.
 *
 * @example expandEnv('tcp://127.0.0.1:${RPC_PORT:-6001}', {}) === 'tcp://127.0.0.1:6001'
 */
export function expandEnv(value: string, env: Env): string {
  if (!value.includes('$')) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const c = value[i] as string;
    const next = value[i + 1];
    if (c !== '$' || next === undefined) {
      out += c;
      i += 1;
    } else if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const close = value.indexOf('}', i + 2);
      if (close === -1 || close === i + 2) {
        // Unterminated `${` or an empty `${}`: not a reference; keep the text so the user sees it in errors.
        out += value.slice(i, close === -1 ? value.length : close + 1);
        i = close === -1 ? value.length : close + 1;
        continue;
      }
      out += lookup(value.slice(i + 2, close), env);
      i = close + 1;
    } else if (/[A-Za-z_]/.test(next)) {
      let end = i + 2;
      while (end < value.length && /[A-Za-z0-9_]/.test(value[end] as string)) end += 1;
      out += env[value.slice(i + 1, end)] ?? '';
      i = end;
    } else {
      out += '$';
      i += 1;
    }
  }
  return out;
}

function lookup(inner: string, env: Env): string {
  const sep = inner.indexOf(':-');
  if (sep === -1) return env[inner] ?? '';
  const value = env[inner.slice(0, sep)];
  return value === undefined || value === '' ? inner.slice(sep + 2) : value;
}

/**
 * Expands every string inside `value` (map values and list items at any depth); keys are left alone.
 * Returns a new tree: YAML aliases share objects, and expanding in place would expand them twice.
 */
export function expandDeep(value: unknown, env: Env): unknown {
  if (typeof value === 'string') return expandEnv(value, env);
  if (Array.isArray(value)) return value.map((v) => expandDeep(v, env));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, expandDeep(v, env));
    return out;
  }
  return value;
}

/** True for `{}`-style objects (what YAML mappings become), not arrays, null or class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Sets an own property even for a key like `__proto__`, which plain assignment would treat as the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
