import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { decodeFrame, encodeFrame, headerCrc } from '@rr/goridge';
import { describe, expect, it } from 'vitest';

interface Vector {
  name: string;
  description: string;
  hex: string;
  frame: { version: number; flags: number; byte10: number; options: number[]; payloadHex: string; payloadLength: number; crc: number };
}

const dir = new URL('./vectors/', import.meta.url);
const { vectors } = JSON.parse(readFileSync(new URL('frames.json', dir), 'utf8')) as { vectors: Vector[] };

describe('golden vectors (PROTOCOL §1.8)', () => {
  it('has the eleven vectors of the protocol reference', () => {
    expect(vectors.map((v) => v.name)).toEqual([
      'pid-request',
      'pid-reply',
      'stop',
      'request-raw',
      'stream-chunk',
      'worker-error',
      'stream-stop',
      'pong',
      'rpc-request',
      'rpc-response',
      'rpc-error',
    ]);
  });

  describe.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, vector) => {
    const bytes = Buffer.from(vector.hex, 'hex');

    it('decodes to every recorded field', () => {
      const frame = decodeFrame(bytes);
      expect({
        version: frame.version,
        flags: frame.flags,
        byte10: frame.byte10,
        options: frame.options,
        payloadHex: frame.payload.toString('hex'),
        payloadLength: frame.payload.length,
        crc: frame.crc,
      }).toEqual(vector.frame);
      expect(frame.byte11).toBe(0);
    });

    it('encodes from its fields byte for byte', () => {
      const f = vector.frame;
      const encoded = encodeFrame({ flags: f.flags, byte10: f.byte10, options: f.options, payload: Buffer.from(f.payloadHex, 'hex') });
      expect(encoded.toString('hex')).toBe(vector.hex);
    });

    it('has a .bin file with the same bytes', () => {
      expect(readFileSync(new URL(`${vector.name}.bin`, dir)).toString('hex')).toBe(vector.hex);
    });

    it('has a header CRC equal to zlib crc32 over bytes 0..5', () => {
      expect(headerCrc(bytes)).toBe(crc32(bytes.subarray(0, 6)));
      expect(headerCrc(bytes)).toBe(vector.frame.crc);
    });
  });
});
