import { fail, ok, scalar, typeName, type ScalarResult, type ScalarSchema } from './scalar.js';

/** Unit of a bare number in a size field. */
export type SizeBare = 'B' | 'KB' | 'MB';

/** Options of `size()`. */
export interface SizeOptions {
  /**
   * Unit of a bare number or numeric string. RoadRunner's size keys (`http.max_request_size`,
   * `supervisor.max_worker_memory`) are plain integers in MB.
   * @default 'MB'
   */
  bare?: SizeBare;
}

const KiB = 1024;
// Binary multiples for every spelling: RoadRunner's sizes are MB-as-MiB, and "512K" in a PHP or nginx
// config also means 512 × 1024. Treating KB as 1000 would silently shrink limits copied from there.
const unitBytes: Record<string, number> = {
  b: 1,
  k: KiB, kb: KiB, kib: KiB,
  m: KiB ** 2, mb: KiB ** 2, mib: KiB ** 2,
  g: KiB ** 3, gb: KiB ** 3, gib: KiB ** 3,
  t: KiB ** 4, tb: KiB ** 4, tib: KiB ** 4,
};
const sizeText = /^([-+]?\d+(?:\.\d+)?|[-+]?\.\d+)\s*([A-Za-z]*)$/;

function parseSize(input: unknown, bare: SizeBare): ScalarResult<number> {
  const bareBytes = unitBytes[bare.toLowerCase()] as number;
  const shown = typeof input === 'string' ? `'${input}'` : String(input);
  const result = (n: number, unit: number) =>
    n < 0 ? fail<number>({ code: 'too_small', minimum: 0, message: `invalid size ${shown}: must not be negative` }) : ok(Math.round(n * unit));
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail({ code: 'invalid_format', format: 'size', message: `invalid size ${shown}: must be finite` });
    return result(input, bareBytes);
  }
  if (typeof input !== 'string') {
    return fail({ code: 'invalid_type', expected: 'string', message: `expected a size (like 10MB, 512K or a number of ${bare}), received ${typeName(input)}` });
  }
  const m = sizeText.exec(input.trim());
  const unit = m === null ? undefined : m[2] === '' ? bareBytes : unitBytes[(m[2] as string).toLowerCase()];
  if (m === null || unit === undefined) {
    return fail({ code: 'invalid_format', format: 'size', message: `invalid size ${shown}: use a number with B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T (1K = 1024 bytes)` });
  }
  return result(Number(m[1]), unit);
}

/**
 * A size field: `"10MB"`, `"512K"`, `"1GiB"`, `"100kb"`, `"1.5M"`, or a bare number / numeric string in the
 * `bare` unit. Output: bytes (an integer, rounded).
 *
 * @remarks Units are case-insensitive and all binary: K = KB = KiB = 1024, M = MB = MiB = 1024², G/GB/GiB = 1024³,
 * T/TB/TiB = 1024⁴, B = 1. Negative → `RR_ERR_CONFIG_TOO_SMALL`; malformed → `RR_ERR_CONFIG_INVALID_FORMAT`.
 *
 * @example
 * z.strictObject({ max_request_size: size().default(1024 ** 3) }) // 50 → 52428800 (MB)
 */
export function size(options: SizeOptions = {}): ScalarSchema<number, string | number> {
  const bare = options.bare ?? 'MB';
  return scalar({ type: ['string', 'number'], description: `size (e.g. 10MB, 512K, 1GiB; binary units); a bare number is ${bare}` }, (input) =>
    parseSize(input, bare),
  );
}
