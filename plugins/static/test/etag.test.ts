import { describe, expect, it } from 'vitest';
import { crc32, makeCrc32Table, strongEtag } from '../src/etag.js';

describe('crc32', () => {
  const check = Buffer.from('123456789');

  // The table builder and update loop are Go's simple (non-slicing) CRC-32; the standard check values of
  // two well-known reflected polynomials prove them, and RoadRunner's table is the same code with 0x48D90782.
  it.each([
    ['IEEE', 0xedb88320, 0xcbf43926],
    ['Castagnoli', 0x82f63b78, 0xe3069283],
  ])('%s check value', (_name, poly, expected) => {
    expect(crc32(check, makeCrc32Table(poly))).toBe(expected);
  });

  it('continues across chunks exactly as over the whole buffer', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog'.repeat(100));
    const whole = crc32(data);
    let crc = 0;
    for (let i = 0; i < data.length; i += 77) crc = crc32(data.subarray(i, i + 77), undefined, crc);
    expect(crc).toBe(whole);
    expect(whole).toBeGreaterThanOrEqual(0);
  });

  it('formats RoadRunner\'s strong ETag in decimal, and none for an empty body', () => {
    expect(strongEtag(5, 0xffffffff)).toBe('"5-4294967295"');
    expect(strongEtag(0, 0)).toBeUndefined();
  });
});
