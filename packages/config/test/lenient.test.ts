import { describe, expect, it } from 'vitest';
import { bool, int } from '../src/index.js';
import { check } from './helpers.js';

describe('int()', () => {
  it.each([
    [4, 4],
    ['4', 4],
    [' 16 ', 16],
    ['-3', -3],
    ['+7', 7],
    [0, 0],
  ])('accepts %j as %j', (input, expected) => {
    expect(check(int(), input)).toEqual({ value: expected });
  });

  it.each([
    [1.5, 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['1.5', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['four', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['', 'RR_ERR_CONFIG_INVALID_TYPE'],
    [true, 'RR_ERR_CONFIG_INVALID_TYPE'],
    [null, 'RR_ERR_CONFIG_INVALID_TYPE'],
  ])('rejects %j with %s', (input, code) => {
    expect(check(int(), input)).toMatchObject({ issues: [{ path: 'f', code }] });
  });

  it('enforces min and max with TOO_SMALL and TOO_BIG', () => {
    const schema = int({ min: 0, max: 500 });
    expect(check(schema, '500')).toEqual({ value: 500 });
    expect(check(schema, -1)).toEqual({ issues: [{ path: 'f', code: 'RR_ERR_CONFIG_TOO_SMALL', message: 'must be at least 0, received -1' }] });
    expect(check(schema, '501')).toEqual({ issues: [{ path: 'f', code: 'RR_ERR_CONFIG_TOO_BIG', message: 'must be at most 500, received 501' }] });
  });
});

describe('bool()', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['1', true],
    ['0', false],
    [1, true],
    [0, false],
  ])('accepts %j as %j', (input, expected) => {
    expect(check(bool(), input)).toEqual({ value: expected });
  });

  it.each([['yes'], ['on'], [''], [2], [null]])('rejects %j with RR_ERR_CONFIG_INVALID_TYPE', (input) => {
    expect(check(bool(), input)).toMatchObject({ issues: [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_TYPE' }] });
  });
});
