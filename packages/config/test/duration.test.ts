import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { duration } from '../src/index.js';
import { check } from './helpers.js';

describe('duration()', () => {
  it.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['2h45m', 9_900_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['1.1s', 1100],
    ['300ms', 300],
    ['10us', 0.01],
    ['10µs', 0.01],
    ['10μs', 0.01],
    ['10ns', 0.00001],
    ['1h0m0s', 3_600_000],
    ['0', 0],
    ['0s', 0],
    ['+5s', 5000],
    ['-0', 0],
  ])('reads Go syntax %j as %j ms', (input, ms) => {
    expect(check(duration(), input)).toEqual({ value: ms });
  });

  it.each([
    ['ns', 60, 0.00006],
    ['ns', 60_000_000_000, 60_000],
    ['ms', 60, 60],
    ['s', 60, 60_000],
    ['s', 1.5, 1500],
    ['ns', '1000000', 1],
    ['ms', '60', 60],
    ['s', '60', 60_000],
    ['s', 0, 0],
  ] as const)('reads a bare %s number %j as %j ms', (bare, input, ms) => {
    expect(check(duration({ bare }), input)).toEqual({ value: ms });
  });

  it('reads bare numbers as nanoseconds by default, as RoadRunner does', () => {
    expect(check(duration(), 5_000_000)).toEqual({ value: 5 });
  });

  it.each([
    ['5 minutes', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration '5 minutes': use Go syntax like 60s or 1m30s"],
    ['1m30', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration '1m30': use Go syntax like 60s or 1m30s"],
    ['60S', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration '60S': use Go syntax like 60s or 1m30s"],
    ['1d', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration '1d': use Go syntax like 60s or 1m30s"],
    ['', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration '': use Go syntax like 60s or 1m30s"],
    ['s', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration 's': use Go syntax like 60s or 1m30s"],
    ['-', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration '-': use Go syntax like 60s or 1m30s"],
    [' 60s', 'RR_ERR_CONFIG_INVALID_FORMAT', "invalid duration ' 60s': use Go syntax like 60s or 1m30s"],
    ['-5s', 'RR_ERR_CONFIG_TOO_SMALL', "invalid duration '-5s': must not be negative"],
    ['-60', 'RR_ERR_CONFIG_TOO_SMALL', "invalid duration '-60': must not be negative"],
    [-1, 'RR_ERR_CONFIG_TOO_SMALL', 'invalid duration -1: must not be negative'],
    [Infinity, 'RR_ERR_CONFIG_INVALID_FORMAT', 'invalid duration Infinity: must be finite'],
    [true, 'RR_ERR_CONFIG_INVALID_TYPE', 'expected a duration (Go syntax like 60s or 1m30s, or a number), received boolean'],
    [null, 'RR_ERR_CONFIG_INVALID_TYPE', 'expected a duration (Go syntax like 60s or 1m30s, or a number), received null'],
    [['60s'], 'RR_ERR_CONFIG_INVALID_TYPE', 'expected a duration (Go syntax like 60s or 1m30s, or a number), received a list'],
  ])('rejects %j with %s', (input, code, message) => {
    expect(check(duration(), input)).toEqual({ issues: [{ path: 'f', code, message }] });
  });

  it('reports a missing required field as INVALID_TYPE, and honours optional/default', () => {
    const schema = z.strictObject({ required: duration(), optional: duration().optional(), defaulted: duration().default(60_000) });
    expect(check(schema, {})).toEqual({ issues: [{ path: 'f.required', code: 'RR_ERR_CONFIG_INVALID_TYPE', message: expect.stringContaining('received nothing') }] });
    expect(check(schema, { required: '1s' })).toEqual({ value: { required: 1000, defaulted: 60_000 } });
  });

  it('types input as string | number and output as milliseconds', () => {
    const schema = z.strictObject({ timeout: duration().default(60_000) });
    expectTypeOf<z.input<typeof schema>>().toEqualTypeOf<{ timeout?: string | number | undefined }>();
    expectTypeOf<z.output<typeof schema>>().toEqualTypeOf<{ timeout: number }>();
    expect(schema.parse({})).toEqual({ timeout: 60_000 });
  });

  it('describes its input as a string or a number in JSON Schema', () => {
    expect(z.toJSONSchema(duration({ bare: 's' }), { io: 'input' })).toMatchObject({ type: ['string', 'number'], description: expect.stringContaining('bare number is s') });
  });
});
