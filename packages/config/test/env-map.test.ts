import { describe, expect, it } from 'vitest';
import { envMap } from '../src/index.js';
import { check } from './helpers.js';

describe('envMap()', () => {
  it.each([
    ['upper-cases keys', { app_env: 'prod', Debug: 'x' }, { APP_ENV: 'prod', DEBUG: 'x' }],
    ['stringifies numbers and booleans', { workers: 4, ratio: 0.5, enabled: true, off: false }, { WORKERS: '4', RATIO: '0.5', ENABLED: 'true', OFF: 'false' }],
    ['turns an empty value into ""', { empty: null }, { EMPTY: '' }],
    ['treats an empty env: as no variables', null, {}],
    ['merges RoadRunner’s list-of-maps form in order', [{ a: '1' }, { b: 2, a: 'override' }], { A: 'override', B: '2' }],
    ['lets the later of two case variants win', { foo: '1', FOO: '2' }, { FOO: '2' }],
  ])('%s', (_name, input, expected) => {
    expect(check(envMap(), input)).toEqual({ value: expected });
  });

  it.each([
    ['a nested map value', { a: { b: 1 } }, [{ path: 'f.a', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a list value', { a: [1] }, [{ path: 'f.a', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a scalar in the list form', [{ a: '1' }, 'B=2'], [{ path: 'f[1]', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a bad value in the list form', [{ a: {} }], [{ path: 'f[0].a', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a string', 'A=1', [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['nothing', undefined, [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
  ])('rejects %s', (_name, input, expected) => {
    expect(check(envMap(), input)).toMatchObject({ issues: expected });
  });
});
