import { describe, expect, it } from 'vitest';
import { gzipQuality, isCompressibleType } from '../src/index.js';

describe('gzipQuality (Accept-Encoding, as gzhttp parses it)', () => {
  it.each([
    ['gzip', 1],
    ['gzip, deflate, br', 1],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', 0.8],
    ['GZIP;Q=0.5', 0.5],
    ['gzip;q=0', 0],
    ['gzip;q=0.000', 0],
    ['gzip;q=abc', 0],
    ['gzip;q=7', 1],
    ['deflate, br', 0],
    ['*', 0],
    ['x-gzip', 0],
    ['', 0],
  ])('%j → %s', (header, q) => {
    expect(gzipQuality(header)).toBe(q);
  });

  it('reads no header as 0 and several header lines as one list', () => {
    expect(gzipQuality(undefined)).toBe(0);
    expect(gzipQuality(['br', 'gzip;q=0.3'])).toBe(0.3);
  });
});

describe('isCompressibleType (gzhttp DefaultContentTypeFilter)', () => {
  it.each([
    ['text/html; charset=utf-8', true],
    ['application/json', true],
    ['text/event-stream', true],
    ['image/svg+xml', true],
    ['image/png', true],
    [undefined, true],
    ['', true],
    ['image/jpeg', false],
    ['video/mp4', false],
    ['audio/ogg', false],
    ['application/zip', false],
    ['application/x-gzip', false],
    ['application/x-compress', false],
    ['application/zstd', false],
    ['application/x-xz', false],
  ])('%j → %s', (ct, ok) => {
    expect(isCompressibleType(ct)).toBe(ok);
  });
});
