// RFC 3339 deadlines as the kv wire carries them (PHP writes `Y-m-d\TH:i:sP`, i.e. whole seconds and a
// numeric offset, and reads them back with DateTimeInterface::RFC3339, which rejects fractions and `Z`).

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** The result of {@link parseDeadline}: epoch milliseconds, or why the text is not RFC 3339. */
export type ParsedDeadline = { ok: true; ms: number } | { ok: false; problem: string };

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS[month - 1] as number);
}

/**
 * Parses an RFC 3339 timestamp (`Z` or a numeric offset, optional fraction) into epoch milliseconds;
 * fractions beyond milliseconds are truncated. Leap second 60 is refused, as Go's time.Parse does.
 */
export function parseDeadline(text: string): ParsedDeadline {
  const m = RFC3339.exec(text);
  if (m === null) return { ok: false, problem: 'not an RFC 3339 timestamp (expected e.g. 2026-11-23T17:00:00+00:00)' };
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return { ok: false, problem: 'month out of range' };
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, problem: 'day out of range' };
  if (hour > 23) return { ok: false, problem: 'hour out of range' };
  if (minute > 59) return { ok: false, problem: 'minute out of range' };
  if (second > 59) return { ok: false, problem: 'second out of range' };
  let offsetMinutes = 0;
  if (m[8] !== undefined) {
    const offsetHours = Number(m[9]);
    const offsetMins = Number(m[10]);
    if (offsetHours > 23 || offsetMins > 59) return { ok: false, problem: 'time zone offset out of range' };
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  // setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return { ok: true, ms: date.getTime() - offsetMinutes * 60_000 };
}

/**
 * Formats a deadline as PHP's RFC3339 format reads it: whole seconds (truncated) and `+00:00`, never
 * JavaScript's `.000Z`. Returns undefined for a value that is not a representable date.
 */
export function formatDeadline(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(Math.floor(ms / 1000) * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 0 || year > 9999) return undefined;
  return `${date.toISOString().slice(0, 19)}+00:00`;
}
