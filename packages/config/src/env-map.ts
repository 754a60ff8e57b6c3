import { fail, ok, scalar, typeName, type ScalarFailure, type ScalarResult, type ScalarSchema } from './scalar.js';
import { isPlainObject, setOwn } from './env.js';

function parseEnvMap(input: unknown): ScalarResult<Record<string, string>> {
  // `env:` with nothing under it is YAML null; RoadRunner treats it as an empty map.
  if (input === null) return ok({});
  const out: Record<string, string> = {};
  const failures: ScalarFailure[] = [];
  const addAll = (map: Record<string, unknown>, at: PropertyKey[]) => {
    for (const [key, value] of Object.entries(map)) {
      if (typeof value === 'string') setOwn(out, key.toUpperCase(), value);
      else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') setOwn(out, key.toUpperCase(), String(value));
      else if (value === null) setOwn(out, key.toUpperCase(), '');
      else failures.push({ code: 'invalid_type', expected: 'string', path: [...at, key], message: `environment value must be a string, number or boolean, received ${typeName(value)}` });
    }
  };
  if (isPlainObject(input)) addAll(input, []);
  else if (Array.isArray(input)) {
    // RoadRunner's sample config writes `env: [ {KEY: value}, … ]`; its decoder merges a list of maps into one.
    input.forEach((item: unknown, i) => {
      if (isPlainObject(item)) addAll(item, [i]);
      else failures.push({ code: 'invalid_type', expected: 'record', path: [i], message: `expected a KEY: value mapping in the env list, received ${typeName(item)}` });
    });
  } else {
    return fail({ code: 'invalid_type', expected: 'record', message: `expected a mapping of environment variables, received ${typeName(input)}` });
  }
  return failures.length > 0 ? { ok: false, failures } : ok(out);
}

/** What `envMap()` accepts: a mapping, RoadRunner's list of single-key mappings, or nothing. */
export type EnvMapInput = Record<string, EnvValue> | Record<string, EnvValue>[] | null;
type EnvValue = string | number | boolean | null;

const envValue = { type: ['string', 'number', 'boolean', 'null'] };

/**
 * An environment map (`server.env`, service `env`): keys upper-cased, as RoadRunner does (viper lower-cases
 * every key, so RoadRunner upper-cases them back), values as strings (`4` → `"4"`, `true` → `"true"`,
 * empty → `""`). `null` (an empty `env:`) is an empty map, and a list of single-key maps (the form in
 * RoadRunner's sample `.rr.yaml`) is merged in order.
 *
 * @remarks Values are not expanded again: the loader has already expanded `$VAR` in every string.
 * Two keys that differ only in case collapse to one; the later one wins.
 */
export function envMap(): ScalarSchema<Record<string, string>, EnvMapInput> {
  return scalar(
    {
      anyOf: [
        { type: 'object', additionalProperties: envValue },
        { type: 'array', items: { type: 'object', additionalProperties: envValue } },
        { type: 'null' },
      ],
      description: 'environment variables (keys are upper-cased)',
    },
    parseEnvMap,
  );
}
