import { describe, expect, it } from 'vitest';
import { formatDeadline, parseDeadline } from '../src/index.js';

describe('RFC 3339 deadlines', () => {
  it.each([
    ['2026-11-23T17:00:00+00:00', Date.UTC(2026, 10, 23, 17)],
    ['1970-01-01T00:00:00Z', 0],
    ['2000-02-29T23:59:59.999Z', Date.UTC(2000, 1, 29, 23, 59, 59, 999)],
    ['0001-01-01T00:00:00Z', -62135596800000],
    ['2026-01-01T00:30:00+01:00', Date.UTC(2025, 11, 31, 23, 30)],
  ])('parses %s', (text, ms) => {
    expect(parseDeadline(text)).toEqual({ ok: true, ms });
  });

  it.each(['', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-00-10T00:00:00Z', '2026-11-23T17:00:00.Z', '+2026-11-23T17:00:00Z', '2026-11-23T17:00:00+01'])(
    'refuses %j',
    (text) => {
      expect(parseDeadline(text).ok).toBe(false);
    },
  );

  it('formats whole seconds (truncated) with +00:00, as PHP’s RFC3339 format reads them', () => {
    expect(formatDeadline(Date.UTC(2026, 10, 23, 17))).toBe('2026-11-23T17:00:00+00:00');
    expect(formatDeadline(Date.UTC(2026, 10, 23, 17, 0, 5, 999))).toBe('2026-11-23T17:00:05+00:00');
    expect(formatDeadline(0)).toBe('1970-01-01T00:00:00+00:00');
  });

  it('round-trips what it formats', () => {
    const ms = Date.UTC(2031, 5, 7, 8, 9, 10);
    const text = formatDeadline(ms) as string;
    expect(parseDeadline(text)).toEqual({ ok: true, ms });
  });

  it('gives undefined for values that are no date', () => {
    expect(formatDeadline(Number.NaN)).toBeUndefined();
    expect(formatDeadline(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(formatDeadline(8.64e15 + 1)).toBeUndefined();
    expect(formatDeadline(Date.UTC(10000, 0, 1))).toBeUndefined();
  });
});
