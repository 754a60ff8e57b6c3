import { duration } from '@rr/config';
import { z } from 'zod';

const DEFAULT_INTERVAL_MS = 60_000;
const DEFAULT_PERMISSIONS = 0o755;

/**
 * Go's `strconv.ParseInt(s, 0, …)`, as RoadRunner's config decoder reads a string into `permissions`:
 * a leading `0` or `0o` is octal, `0x` hex, anything else decimal. YAML's `0755` already arrives as 493.
 */
function parseMode(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isInteger(input) ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const s = input.trim().toLowerCase();
  if (/^0o?[0-7]+$/.test(s)) return Number.parseInt(s.replace(/^0o?/, ''), 8);
  if (/^0x[0-9a-f]+$/.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^[1-9]\d*$/.test(s) || s === '0') return Number(s);
  return undefined;
}

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : typeof v);

// Built like @rr/config's scalars: the parser picks the code (INVALID_TYPE / INVALID_FORMAT / TOO_BIG).
// Strings matter beyond YAML: jobs.Declare passes every pipeline option as a string.
const permissions = z
  .unknown()
  .transform((input, ctx): number => {
    if (typeof input !== 'number' && typeof input !== 'string') {
      ctx.issues.push({ code: 'invalid_type', expected: 'number', input, message: `expected a file mode (0755 or "0644"), received ${typeName(input)}` });
      return z.NEVER;
    }
    const mode = parseMode(input);
    if (mode === undefined) {
      ctx.issues.push({ code: 'invalid_format', format: 'file mode', input: String(input), message: `invalid file mode ${JSON.stringify(input)}: use octal like 0755 or "0644"` });
      return z.NEVER;
    }
    if (mode < 0) {
      ctx.issues.push({ code: 'too_small', origin: 'number', minimum: 0, inclusive: true, input, message: `invalid file mode ${JSON.stringify(input)}: must not be negative` });
      return z.NEVER;
    }
    if (mode > 0o7777) {
      ctx.issues.push({ code: 'too_big', origin: 'number', maximum: 0o7777, inclusive: true, input, message: `invalid file mode ${JSON.stringify(input)}: at most 07777` });
      return z.NEVER;
    }
    return mode;
  })
  .meta({ anyOf: [{ type: 'integer', minimum: 0, maximum: 0o7777 }, { type: 'string', pattern: '^(0[oO]?[0-7]+|0[xX][0-9a-fA-F]+|[0-9]+)$' }] })
  .default(DEFAULT_PERMISSIONS);

/**
 * The boltdb driver's options, RoadRunner's keys: the root `boltdb` section (RoadRunner's "global"
 * boltdb config), or `kv.<storage>.config` of a storage with `driver: boltdb`.
 */
export const boltdbConfigSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .default('rr.db')
      .describe('The storage file (default rr.db); a relative path resolves against the working directory, whose folder must exist'),
    permissions: permissions.describe('Mode of a newly created file (default 0755): an octal YAML number (0755) or string ("0755")'),
    interval: duration({ bare: 's' })
      .default(DEFAULT_INTERVAL_MS)
      .transform((ms) => (ms === 0 ? DEFAULT_INTERVAL_MS : ms))
      .describe('How often expired items are freed and compaction is considered (default 60s; a bare number is seconds, as in RoadRunner; 0 = 60s)'),
  })
  .describe("Durable local kv storages (driver boltdb): rr's own fsync'd append-only file, not bbolt's format");

/** The resolved `boltdb` section. */
export type BoltdbConfig = z.output<typeof boltdbConfigSchema>;
/** The `boltdb` section as written in YAML. */
export type BoltdbConfigInput = z.input<typeof boltdbConfigSchema>;

/**
 * The options of a jobs pipeline with `driver: boltdb` (`jobs.pipelines.<name>.config`), RoadRunner's
 * keys and defaults. The core's keys (`priority`, `prefetch` — 1000 for boltdb, as in RoadRunner —,
 * `max_attempts`, …) are removed before this schema sees the section. The root `boltdb` section is the
 * kv one and does not apply to pipelines.
 */
export const boltdbJobsConfigSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .default('rr.db')
      .describe(
        "The pipeline's queue file (default rr.db); one file per pipeline, never shared with a kv storage; a relative path resolves against the working directory, whose folder must exist",
      ),
    permissions: permissions.describe('Mode of a newly created file (default 0755): an octal YAML number (0755) or string ("0755")'),
  })
  .describe("A durable local jobs pipeline (driver boltdb): rr's own fsync'd append-only file, one per pipeline");

/** A boltdb pipeline's resolved options. */
export type BoltdbJobsConfig = z.output<typeof boltdbJobsConfigSchema>;
/** A boltdb pipeline's options as written in YAML or sent by jobs.Declare. */
export type BoltdbJobsConfigInput = z.input<typeof boltdbJobsConfigSchema>;
