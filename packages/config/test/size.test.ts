import { describe, expect, it } from 'vitest';
import { size } from '../src/index.js';
import { check } from './helpers.js';

const KiB = 1024;
const MiB = KiB ** 2;
const GiB = KiB ** 3;

describe('size()', () => {
  it.each([
    ['10MB', 10 * MiB],
    ['512K', 512 * KiB],
    ['512k', 512 * KiB],
    ['100kb', 100 * KiB],
    ['1KiB', KiB],
    ['1.5M', 1.5 * MiB],
    ['1GiB', GiB],
    ['2g', 2 * GiB],
    ['1T', KiB ** 4],
    ['64B', 64],
    ['10 MB', 10 * MiB],
    ['0', 0],
    ['0.3K', 307],
  ])('reads %j as %j bytes (binary units)', (input, bytes) => {
    expect(check(size(), input)).toEqual({ value: bytes });
  });

  it.each([
    ['MB', 256, 256 * MiB],
    ['MB', '256', 256 * MiB],
    ['KB', 4, 4 * KiB],
    ['B', 100, 100],
    ['B', '100', 100],
  ] as const)('reads a bare %s value %j as %j bytes', (bare, input, bytes) => {
    expect(check(size({ bare }), input)).toEqual({ value: bytes });
  });

  it('reads bare numbers as MB by default, as RoadRunner max_request_size does', () => {
    expect(check(size(), 50)).toEqual({ value: 50 * MiB });
  });

  it.each([
    ['10XB', 'RR_ERR_CONFIG_INVALID_FORMAT'],
    ['ten MB', 'RR_ERR_CONFIG_INVALID_FORMAT'],
    ['MB', 'RR_ERR_CONFIG_INVALID_FORMAT'],
    ['', 'RR_ERR_CONFIG_INVALID_FORMAT'],
    [Number.NaN, 'RR_ERR_CONFIG_INVALID_FORMAT'],
    ['-1MB', 'RR_ERR_CONFIG_TOO_SMALL'],
    [-5, 'RR_ERR_CONFIG_TOO_SMALL'],
    [false, 'RR_ERR_CONFIG_INVALID_TYPE'],
    [{}, 'RR_ERR_CONFIG_INVALID_TYPE'],
  ])('rejects %j with %s', (input, code) => {
    expect(check(size(), input)).toEqual({ issues: [{ path: 'f', code, message: expect.any(String) }] });
  });

  it('explains the accepted units', () => {
    expect(check(size(), '10XB')).toEqual({
      issues: [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_FORMAT', message: "invalid size '10XB': use a number with B, K/KB/KiB, M/MB/MiB, G/GB/GiB or T (1K = 1024 bytes)" }],
    });
  });
});
