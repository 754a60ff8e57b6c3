import { fail, ok, scalar, typeName, type ScalarResult, type ScalarSchema } from './scalar.js';

/** Options of `int()`. */
export interface IntOptions {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

function parseInt_(input: unknown, { min, max }: IntOptions): ScalarResult<number> {
  let n: number | undefined;
  if (typeof input === 'number' && Number.isInteger(input)) n = input;
  else if (typeof input === 'string' && /^[-+]?\d+$/.test(input.trim())) n = Number(input);
  if (n === undefined) return fail({ code: 'invalid_type', expected: 'int', message: `expected an integer, received ${typeof input === 'string' ? `'${input}'` : typeName(input)}` });
  if (min !== undefined && n < min) return fail({ code: 'too_small', minimum: min, message: `must be at least ${min}, received ${n}` });
  if (max !== undefined && n > max) return fail({ code: 'too_big', maximum: max, message: `must be at most ${max}, received ${n}` });
  return ok(n);
}

/**
 * An integer that also accepts a numeric string. `${VAR}` expansion always yields strings, and RoadRunner's
 * decoder converts `num_workers: ${WORKERS}` ("4") to 4; numeric fields use this so such configs keep loading.
 */
export function int(options: IntOptions = {}): ScalarSchema<number, number | string> {
  const range = { ...(options.min === undefined ? {} : { minimum: options.min }), ...(options.max === undefined ? {} : { maximum: options.max }) };
  return scalar({ anyOf: [{ type: 'integer', ...range }, { type: 'string', pattern: '^[-+]?[0-9]+$' }] }, (input) => parseInt_(input, options));
}

const truthy = new Set(['true', '1']);
const falsy = new Set(['false', '0']);

function parseBool(input: unknown): ScalarResult<boolean> {
  if (typeof input === 'boolean') return ok(input);
  if (input === 0 || input === 1) return ok(input === 1);
  if (typeof input === 'string') {
    const s = input.trim().toLowerCase();
    if (truthy.has(s)) return ok(true);
    if (falsy.has(s)) return ok(false);
  }
  return fail({ code: 'invalid_type', expected: 'boolean', message: `expected a boolean (true/false), received ${typeof input === 'string' ? `'${input}'` : typeName(input)}` });
}

/**
 * A boolean that also accepts `"true"`/`"false"`/`"1"`/`"0"` (any case) and 0/1, for the same reason as
 * `int()`: `debug: ${RR_DEBUG}` expands to a string.
 */
export function bool(): ScalarSchema<boolean, boolean | string | number> {
  return scalar({ anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', '1', '0'] }] }, parseBool);
}
