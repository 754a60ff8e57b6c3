import { z } from 'zod';

/**
 * Why a scalar rejected its input. The codes are zod's own, so `issuesFromZod` (and the kernel's mapping)
 * turn them into the usual `RR_ERR_CONFIG_INVALID_TYPE` / `_INVALID_FORMAT` / `_TOO_SMALL` / `_TOO_BIG`.
 */
export type ScalarFailure = { message: string; path?: PropertyKey[] } & (
  | { code: 'invalid_type'; expected: string }
  | { code: 'invalid_format'; format: string }
  | { code: 'too_small'; minimum: number }
  | { code: 'too_big'; maximum: number }
);

/** A parser result: the output value, or one or more failures. */
export type ScalarResult<T> = { ok: true; value: T } | { ok: false; failures: ScalarFailure[] };

/** JSON Schema of what the scalar accepts in YAML; flows into the generated schema.json (`io: 'input'`). */
export type InputJsonSchema = Record<string, unknown>;

/** A shared scalar: what YAML may hold (`I`, for `…ConfigInput` types) and what plugins get (`T`). */
export type ScalarSchema<T, I> = z.ZodType<T, I>;

/**
 * Builds a zod schema from a plain parser. At run time the input side is `unknown`, so the parser, not a
 * zod union, decides the message and the code; `inputSchema` gives tooling an accurate JSON Schema and `I`
 * gives TypeScript the accepted input type.
 */
export function scalar<T, I>(inputSchema: InputJsonSchema, parse: (input: unknown) => ScalarResult<T>): ScalarSchema<T, I> {
  const schema = z
    .unknown()
    .transform((input, ctx): T => {
      const result = parse(input);
      if (result.ok) return result.value;
      for (const f of result.failures) {
        const base = { input, message: f.message, ...(f.path === undefined ? {} : { path: f.path }) };
        if (f.code === 'invalid_type') ctx.issues.push({ ...base, code: f.code, expected: f.expected });
        // zod types a format issue's input as a string; only string inputs ever fail on format here.
        else if (f.code === 'invalid_format') ctx.issues.push({ ...base, input: typeof input === 'string' ? input : String(input), code: f.code, format: f.format });
        else if (f.code === 'too_small') ctx.issues.push({ ...base, code: f.code, origin: 'number', minimum: f.minimum, inclusive: true });
        else ctx.issues.push({ ...base, code: f.code, origin: 'number', maximum: f.maximum, inclusive: true });
      }
      return z.NEVER;
    })
    .meta(inputSchema);
  return schema as unknown as ScalarSchema<T, I>;
}

/** `ok` shorthand. */
export function ok<T>(value: T): ScalarResult<T> {
  return { ok: true, value };
}

/** One-failure shorthand. */
export function fail<T>(failure: ScalarFailure): ScalarResult<T> {
  return { ok: false, failures: [failure] };
}

/** The YAML-ish type name of a value, for "received …" in messages. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
