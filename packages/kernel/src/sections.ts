import type { StandardSchemaIssue, StandardSchemaV1 } from './standard-schema.js';

/** One entry of `RR_ERR_KERNEL_CONFIG_INVALID`'s `details.issues`. */
export interface ConfigIssue {
  /** Dotted, starting with the section key: `http.pool.num_workers`. */
  readonly path: string;
  /** `RR_ERR_CONFIG_<ISSUE CODE>`, or `RR_ERR_CONFIG_INVALID_VALUE` when the schema gives none. */
  readonly code: string;
  readonly message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Copies plain objects and arrays so freezing never reaches the caller's objects. */
export function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => cloneData(item)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneData(v)])) as T;
  }
  return value;
}

/**
 * Freezes plain objects and arrays and everything reachable through them; safe on cycles. Class
 * instances (a Buffer, a URL a schema produced) keep their own invariants and are left alone.
 */
export function deepFreeze<T>(value: T): T {
  if (!(Array.isArray(value) || isPlainObject(value)) || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return value;
}

/** The value at a dotted key, or `undefined` when any step is missing. */
export function lookup(sections: Readonly<Record<string, unknown>>, key: string): unknown {
  let current: unknown = sections;
  for (const step of key.split('.')) {
    if (!isPlainObject(current) || !Object.hasOwn(current, step)) return undefined;
    current = current[step];
  }
  return current;
}

function upperSnake(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

function joinPath(base: string, path: StandardSchemaIssue['path']): string {
  const steps = (path ?? []).map((step) => {
    const key = typeof step === 'object' && step !== null ? step.key : step;
    return typeof key === 'symbol' ? (key.description ?? 'symbol') : String(key);
  });
  return [base, ...steps].join('.');
}

/** Maps Standard Schema issues to ours; zod's `unrecognized_keys` becomes one issue per key. */
export function toConfigIssues(key: string, issues: readonly StandardSchemaIssue[]): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    const vendor = issue as StandardSchemaIssue & { code?: unknown; keys?: unknown };
    const code = typeof vendor.code === 'string' ? `RR_ERR_CONFIG_${upperSnake(vendor.code)}` : 'RR_ERR_CONFIG_INVALID_VALUE';
    if (vendor.code === 'unrecognized_keys' && Array.isArray(vendor.keys)) {
      return vendor.keys.map((unknownKey) => ({
        path: joinPath(key, [...(issue.path ?? []), String(unknownKey)]),
        code,
        message: `Unrecognized key: ${JSON.stringify(String(unknownKey))}`,
      }));
    }
    return [{ path: joinPath(key, issue.path), code, message: issue.message }];
  });
}

/** The outcome of validating one section. */
export type SectionResult = { ok: true; value: unknown } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates one section. A schema that throws (a transform gone wrong) is reported as an issue on the
 * section rather than escaping, so every problem still arrives in one aggregated error.
 */
export async function validateSection(key: string, schema: StandardSchemaV1, value: unknown): Promise<SectionResult> {
  try {
    const result = await schema['~standard'].validate(value);
    if (result.issues !== undefined) return { ok: false, issues: toConfigIssues(key, result.issues) };
    return { ok: true, value: deepFreeze(result.value) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, issues: [{ path: key, code: 'RR_ERR_CONFIG_INVALID_VALUE', message }] };
  }
}
