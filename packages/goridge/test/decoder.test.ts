import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { CODEC_JSON, CODEC_RAW, CONTROL, DEFAULT_MAX_PAYLOAD, FrameDecoder, decodeFrame, encodeData, encodeFrame, goridgeErrors, type Frame } from '@rr/goridge';
import { isRrError } from '@rr/errors';
import { describe, expect, it } from 'vitest';

const { vectors } = JSON.parse(readFileSync(new URL('./vectors/frames.json', import.meta.url), 'utf8')) as { vectors: { hex: string }[] };
const stream = Buffer.concat(vectors.map((v) => Buffer.from(v.hex, 'hex')));
const expected = vectors.map((v) => decodeFrame(Buffer.from(v.hex, 'hex')));

/** Feeds `bytes` split at the given offsets and collects frames. */
function feed(decoder: FrameDecoder, bytes: Buffer, cuts: number[]): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    frames.push(...decoder.push(bytes.subarray(at, cut)));
    at = cut;
  }
  return frames;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isRrError(err) ? err.code : `foreign: ${String(err)}`;
  }
  return undefined;
}

describe('FrameDecoder', () => {
  it('decodes many frames from one chunk', () => {
    expect(new FrameDecoder().push(stream)).toEqual(expected);
  });

  it('decodes frames split at every byte boundary', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(feed(new FrameDecoder(), stream, [cut])).toEqual(expected);
    }
  });

  it('decodes frames fed one byte at a time', () => {
    const decoder = new FrameDecoder();
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    expect(feed(decoder, stream, cuts)).toEqual(expected);
    expect(decoder.buffered).toBe(0);
    expect(() => decoder.end()).not.toThrow();
  });

  it('decodes a frame whose options span chunks', () => {
    const frame = encodeFrame({ flags: CODEC_JSON, options: [1, 2, 3, 4, 5], payload: Buffer.from('payload') });
    for (let cut = 13; cut < 32; cut++) expect(feed(new FrameDecoder(), frame, [cut])[0]?.options).toEqual([1, 2, 3, 4, 5]);
  });

  it('accepts plain Uint8Array chunks', () => {
    const bytes = encodeData(CODEC_RAW, Buffer.from('c'), Buffer.from('b'));
    const copy = new Uint8Array(bytes.length + 4).subarray(2, 2 + bytes.length);
    copy.set(bytes);
    expect(new FrameDecoder().push(copy)[0]?.payload.toString()).toBe('cb');
  });

  it('returns views for payloads inside one chunk and exact copies for payloads across chunks', () => {
    const bytes = encodeFrame({ flags: CODEC_RAW, payload: Buffer.from('0123456789') });
    const inside = new FrameDecoder().push(bytes)[0] as Frame;
    const decoder = new FrameDecoder();
    decoder.push(bytes.subarray(0, 15));
    const across = decoder.push(bytes.subarray(15))[0] as Frame;
    bytes[12] = 0x41; // mutate the input after decoding: only the view sees it
    expect(inside.payload.toString()).toBe('A123456789');
    expect(across.payload.toString()).toBe('0123456789');
    expect(across.payload.byteLength).toBe(10);
  });

  it('keeps unknown flag bits and ignores the version nibble (as Go)', () => {
    const bytes = encodeFrame({ flags: 0x02 | CONTROL, payload: Buffer.from('x') });
    bytes[0] = 0x73; // version 7, HL 3
    bytes.writeUInt32LE(0, 6);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, 6)), 6);
    const frame = decodeFrame(bytes);
    expect(frame.version).toBe(7);
    expect(frame.flags).toBe(0x03);
  });

  it('has a 1 GiB default limit and validates maxPayload', () => {
    expect(new FrameDecoder().maxPayload).toBe(DEFAULT_MAX_PAYLOAD);
    expect(DEFAULT_MAX_PAYLOAD).toBe(1024 ** 3);
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
      expect(codeOf(() => new FrameDecoder({ maxPayload: bad }))).toBe(goridgeErrors.INVALID_OPTION.code);
    }
    expect(new FrameDecoder({ maxPayload: 0 }).push(encodeFrame({ flags: 0 }))).toHaveLength(1);
  });

  describe('stray output', () => {
    it('reports a CRC mismatch with the offending bytes as text and hex', () => {
      const decoder = new FrameDecoder();
      const bytes = Buffer.concat([Buffer.from('hello\n'), encodeFrame({ flags: CONTROL, payload: Buffer.from('{"pid":1}') })]);
      let error: unknown;
      try {
        decoder.push(bytes);
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code, details: { position: 0 } });
      const message = (error as Error).message;
      expect(message).toContain('"hello\\n\\x13\\x01');
      expect(message).toContain('hex 68 65 6c 6c 6f 0a 13 01');
      expect((error as { hint: string }).hint).toContain('stderr');
      expect((error as { details: { bytes: Buffer } }).details.bytes).toEqual(bytes);
    });

    it('bounds the bytes shown to 256', () => {
      const decoder = new FrameDecoder();
      const error = (() => {
        try {
          decoder.push(Buffer.alloc(10_000, 'A'));
        } catch (err) {
          return err as { details: { bytes: Buffer }; message: string };
        }
      })();
      expect(error?.details.bytes.length).toBe(256);
      expect(error?.message.length).toBeLessThan(2000);
    });

    it('reports the stream position of a bad header after good frames, and returns those frames first', () => {
      const good = encodeFrame({ flags: CODEC_JSON, payload: Buffer.from('[]') });
      const decoder = new FrameDecoder();
      const frames = decoder.push(Buffer.concat([good, Buffer.from('Warning: something\n')]));
      expect(frames).toHaveLength(1);
      expect(decoder.error).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code, details: { position: good.length } });
      expect(codeOf(() => decoder.push(good))).toBe(goridgeErrors.STRAY_OUTPUT.code);
      expect(codeOf(() => decoder.end())).toBe(goridgeErrors.STRAY_OUTPUT.code);
    });

    it('detects garbage whose header arrives across chunks and shows what followed', () => {
      const decoder = new FrameDecoder();
      decoder.push(Buffer.from('PHP Warn'));
      let error: unknown;
      try {
        decoder.push(Buffer.from('ing:  Undefined variable $x\n'));
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
      expect((error as Error).message).toContain('"PHP Warning:  Undefined variable $x\\n"');
    });
  });

  it('reports PHP\'s "Could not open input file" with its full text', () => {
    const decoder = new FrameDecoder();
    let error: unknown;
    try {
      decoder.push(Buffer.from('Could not open input file: x.php\n'));
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: goridgeErrors.FILE_NOT_FOUND.code });
    expect((error as Error).message).toContain('"Could not open input file: x.php\\n"');
    expect(codeOf(() => decoder.push(Buffer.from('more')))).toBe(goridgeErrors.FILE_NOT_FOUND.code);
  });

  it('treats "Could not op" only as a whole 12-byte header', () => {
    expect(codeOf(() => new FrameDecoder().push(Buffer.from('Could not ox and more')))).toBe(goridgeErrors.STRAY_OUTPUT.code);
  });

  it('rejects a CRC-valid header with a header length nibble below 3', () => {
    for (const hl of [0, 1, 2]) {
      const bytes = encodeFrame({ flags: 0 });
      bytes[0] = 0x10 | hl;
      bytes.writeUInt32LE(crc32(bytes.subarray(0, 6)), 6);
      expect(codeOf(() => new FrameDecoder().push(bytes))).toBe(goridgeErrors.BAD_HEADER_LENGTH.code);
    }
  });

  it('rejects a declared payload over the limit before allocating, from its header alone', () => {
    const header = encodeFrame({ flags: CODEC_RAW, payload: Buffer.alloc(65) }).subarray(0, 12);
    const decoder = new FrameDecoder({ maxPayload: 64 });
    let error: unknown;
    try {
      decoder.push(header);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: goridgeErrors.FRAME_TOO_LARGE.code, details: { length: 65, limit: 64, position: 0 } });
    expect(new FrameDecoder({ maxPayload: 65 }).push(encodeFrame({ flags: 0, payload: Buffer.alloc(65) }))).toHaveLength(1);
  });

  it('reports a stream that ends inside a frame, showing the bytes held', () => {
    for (const cut of [3, 12, 14, 20]) {
      const bytes = encodeFrame({ flags: CODEC_RAW, options: [1], payload: Buffer.from('abcdefgh') });
      const decoder = new FrameDecoder();
      decoder.push(bytes.subarray(0, cut));
      expect(decoder.buffered).toBe(cut);
      let error: unknown;
      try {
        decoder.end();
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: goridgeErrors.TRUNCATED.code, details: { bytes: bytes.subarray(0, cut), position: 0 } });
      expect(codeOf(() => decoder.end())).toBe(goridgeErrors.TRUNCATED.code);
    }
  });
});

describe('decodeFrame', () => {
  it('rejects empty and incomplete input', () => {
    expect(codeOf(() => decodeFrame(Buffer.alloc(0)))).toBe(goridgeErrors.TRUNCATED.code);
    expect(codeOf(() => decodeFrame(Buffer.from(vectors[0]?.hex.slice(0, 30) ?? '', 'hex')))).toBe(goridgeErrors.TRUNCATED.code);
  });

  it('rejects bytes after the frame', () => {
    const bytes = Buffer.concat([encodeFrame({ flags: 0 }), Buffer.from('xy')]);
    expect(codeOf(() => decodeFrame(bytes))).toBe(goridgeErrors.TRAILING_BYTES.code);
  });

  it('passes decoder errors on', () => {
    expect(codeOf(() => decodeFrame(Buffer.from('not a goridge frame')))).toBe(goridgeErrors.STRAY_OUTPUT.code);
  });
});

describe('FrameDecoder with the largest header nibble', () => {
  it('decodes 12 options (HL 15), which writers never produce but PHP would read, at every split', () => {
    const bytes = encodeFrame({ flags: 0, options: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], payload: Buffer.from('abcdefgh') });
    const wide = Buffer.concat([bytes.subarray(0, 52), Buffer.from([11, 0, 0, 0, 12, 0, 0, 0]), bytes.subarray(52)]);
    wide[0] = 0x1f;
    wide.writeUInt32LE(crc32(wide.subarray(0, 6)), 6);
    for (let cut = 1; cut < wide.length; cut++) {
      const [frame] = feed(new FrameDecoder(), wide, [cut]);
      expect(frame?.options).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(frame?.payload.toString()).toBe('abcdefgh');
    }
  });
});
