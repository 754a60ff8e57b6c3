import { crc32 } from 'node:zlib';
import {
  CODEC_GOB,
  CODEC_JSON,
  CODEC_MSGPACK,
  CODEC_PROTO,
  CODEC_RAW,
  CONTROL,
  ERROR,
  PING,
  PONG,
  STOP,
  STREAM,
  decodeFrame,
  encodeData,
  encodeFrame,
  goridgeErrors,
  headerCrc,
} from '@rr/goridge';
import { describe, expect, it } from 'vitest';

describe('frame constants', () => {
  it('match goridge v3 and spiral/goridge 4', () => {
    expect({ CONTROL, CODEC_RAW, CODEC_JSON, CODEC_MSGPACK, CODEC_GOB, ERROR, CODEC_PROTO }).toEqual({
      CONTROL: 0x01,
      CODEC_RAW: 0x04,
      CODEC_JSON: 0x08,
      CODEC_MSGPACK: 0x10,
      CODEC_GOB: 0x20,
      ERROR: 0x40,
      CODEC_PROTO: 0x80,
    });
    expect({ STREAM, STOP, PING, PONG }).toEqual({ STREAM: 1, STOP: 2, PING: 4, PONG: 8 });
  });
});

describe('headerCrc', () => {
  it('equals zlib crc32 over six bytes for any input and offset', () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    for (let offset = 0; offset + 6 <= bytes.length; offset += 7) {
      expect(headerCrc(bytes, offset)).toBe(crc32(bytes.subarray(offset, offset + 6)));
    }
  });
});

describe('encodeFrame', () => {
  it('writes version 1 and the header length nibble 3 + options', () => {
    const frame = encodeFrame({ flags: CODEC_JSON, options: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], payload: Buffer.from('x') });
    expect(frame[0]).toBe(0x1d);
    expect(frame.length).toBe(12 + 40 + 1);
    expect(decodeFrame(frame).options).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('defaults to no options, byte10 0 and an empty payload', () => {
    expect(encodeFrame({ flags: 0, byte10: PONG }).toString('hex')).toBe('13000000000096d180340800');
    expect(encodeFrame({ flags: CONTROL }).length).toBe(12);
  });

  it('concatenates payload parts, strings as UTF-8, in one buffer', () => {
    const frame = encodeFrame({ flags: CODEC_JSON, options: [7, 8], payload: ['kv.Clear', Buffer.from('{"é":1}')] });
    const decoded = decodeFrame(frame);
    expect(decoded.payload.toString('utf8')).toBe('kv.Clear{"é":1}');
    expect(decoded.payload.length).toBe(8 + 8);
    expect(encodeFrame({ flags: 0, payload: ['naïve', ''] }).subarray(12).toString('utf8')).toBe('naïve');
  });

  it('accepts plain Uint8Arrays', () => {
    expect(decodeFrame(encodeFrame({ flags: CODEC_RAW, payload: new Uint8Array([1, 2, 3]) })).payload).toEqual(Buffer.from([1, 2, 3]));
  });

  it('rejects more than ten options', () => {
    expect(() => encodeFrame({ flags: 0, options: Array.from({ length: 11 }, () => 0) })).toThrow(
      expect.objectContaining({ code: goridgeErrors.TOO_MANY_OPTIONS.code }),
    );
  });

  it.each([
    ['flags', { flags: 256 }],
    ['flags', { flags: -1 }],
    ['byte10', { flags: 0, byte10: 1.5 }],
    ['options[1]', { flags: 0, options: [0, 2 ** 32] }],
    ['options[0]', { flags: 0, options: [-1] }],
    ['options[0]', { flags: 0, options: [Number.NaN] }],
  ])('rejects an out-of-range %s', (field, init) => {
    expect(() => encodeFrame(init)).toThrow(expect.objectContaining({ code: goridgeErrors.BAD_FRAME_FIELD.code, message: expect.stringContaining(field) }));
  });

  it('rejects a payload the uint32 length cannot express', () => {
    // A stand-in with a length over 4 GiB − 1: the check runs before any byte is read or allocated.
    const huge = [{ length: 2 ** 32 } as unknown as Uint8Array];
    expect(() => encodeFrame({ flags: 0, payload: huge })).toThrow(expect.objectContaining({ code: goridgeErrors.BAD_FRAME_FIELD.code }));
  });
});

describe('encodeData', () => {
  it('writes options [len(context)] and context ‖ body', () => {
    const frame = encodeData(CODEC_RAW, Buffer.from('{"a":1}'), Buffer.from('hello'));
    expect(frame.toString('hex')).toBe('14040c00000056f8d3960000070000007b2261223a317d68656c6c6f');
  });

  it('sets byte10 and allows an empty context', () => {
    expect(encodeData(0, Buffer.alloc(0), Buffer.from('hi'), STREAM).toString('hex')).toBe('140002000000a5298c830100000000006869');
  });
});
