import { fail, ok, scalar, typeName, type ScalarResult, type ScalarSchema } from './scalar.js';

/** How a bare number (or numeric string) in a duration field is read. */
export type DurationBare = 'ns' | 'ms' | 's';

/** Options of `duration()`. */
export interface DurationOptions {
  /**
   * Unit of a bare number. RoadRunner decodes a bare integer into a Go `time.Duration`, i.e. nanoseconds,
   * so `'ns'` keeps existing configs meaning what they meant; legacy integer-seconds keys (`jobs.timeout`,
   * service `restart_sec`) use `'s'`.
   * @default 'ns'
   */
  bare?: DurationBare;
}

const unitNs: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
// Divide for ns rather than multiply by 1e-6: 60 * 1e-6 is 0.000059999999999999995.
const bareToMs: Record<DurationBare, (n: number) => number> = { ns: (n) => n / 1e6, ms: (n) => n, s: (n) => n * 1000 };
// 'ms' must precede 'm' and 's' in the alternation, or "300ms" would read as 300m + "s".
const component = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
const numeric = /^[-+]?\d+(?:\.\d+)?$/;

/**
 * Parses Go duration syntax (`time.ParseDuration`) into nanoseconds; `undefined` when malformed.
 * Summed per component in integer nanoseconds so `1.1s` is exactly 1100 ms, not 1100.0000000000002.
 */
function goDurationNs(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s.startsWith('-') ? -1 : 1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    component.lastIndex = pos;
    const m = component.exec(s);
    if (m === null) return undefined;
    const [int = '', frac = ''] = (m[1] as string).split('.');
    const unit = unitNs[m[2] as string] as number;
    total += Number(int === '' ? '0' : int) * unit + (frac === '' ? 0 : Math.round(Number(`0.${frac}`) * unit));
    pos = component.lastIndex;
  }
  return total === 0 ? 0 : sign * total; // no -0 for "-0s"
}

function parseDuration(input: unknown, bare: DurationBare): ScalarResult<number> {
  const shown = typeof input === 'string' ? `'${input}'` : String(input);
  // `|| 0` below turns -0 ("-0", YAML -0) into 0.
  const negative = () => fail<number>({ code: 'too_small', minimum: 0, message: `invalid duration ${shown}: must not be negative` });
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail({ code: 'invalid_format', format: 'duration', message: `invalid duration ${shown}: must be finite` });
    return input < 0 ? negative() : ok(bareToMs[bare](input) || 0);
  }
  if (typeof input !== 'string') {
    return fail({ code: 'invalid_type', expected: 'string', message: `expected a duration (Go syntax like 60s or 1m30s, or a number), received ${typeName(input)}` });
  }
  if (numeric.test(input)) {
    const n = Number(input);
    return n < 0 ? negative() : ok(bareToMs[bare](n) || 0);
  }
  const ns = goDurationNs(input);
  if (ns === undefined) return fail({ code: 'invalid_format', format: 'duration', message: `invalid duration ${shown}: use Go syntax like 60s or 1m30s` });
  return ns < 0 ? negative() : ok(ns / 1e6);
}

/**
 * A duration field: Go syntax (`"300ms"`, `"60s"`, `"1m30s"`, `"2h45m"`, `"1.5h"`, `"10us"`/`"10µs"`, `"0"`)
 * or a bare number / numeric string read in the `bare` unit. Output: milliseconds (may be fractional).
 *
 * @remarks Units: ns, us (µs, μs), ms, s, m, h. Negative durations are rejected (`RR_ERR_CONFIG_TOO_SMALL`),
 * malformed strings report `RR_ERR_CONFIG_INVALID_FORMAT`, other types `RR_ERR_CONFIG_INVALID_TYPE`.
 *
 * @example
 * z.strictObject({ allocate_timeout: duration().default(60_000) }) // "60s" → 60000
 * z.strictObject({ timeout: duration({ bare: 's' }) })            // 60 → 60000
 */
export function duration(options: DurationOptions = {}): ScalarSchema<number, string | number> {
  const bare = options.bare ?? 'ns';
  return scalar(
    { type: ['string', 'number'], description: `Go duration (e.g. 60s, 1m30s); a bare number is ${bare}` },
    (input) => parseDuration(input, bare),
  );
}
