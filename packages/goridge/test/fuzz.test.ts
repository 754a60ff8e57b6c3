import { crc32 } from 'node:zlib';
import { isRrError } from '@rr/errors';
import { FrameDecoder, encodeFrame, goridgeErrors, type Frame } from '@rr/goridge';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Fuzzing the decoder: valid frames, mutated frames and noise, fed in random chunk sizes.
// Invariants: only the decoder's own coded errors escape; poisoning is sticky; no call takes long (bounded
// work per byte); nothing is allocated beyond the declared limit even for declared lengths up to 4 GiB − 1.

const LIMIT = 64 * 1024;
const SEEDED_CASES = 100_000;
const DECODER_CODES = new Set<string>([
  goridgeErrors.STRAY_OUTPUT.code,
  goridgeErrors.FILE_NOT_FOUND.code,
  goridgeErrors.BAD_HEADER_LENGTH.code,
  goridgeErrors.FRAME_TOO_LARGE.code,
  goridgeErrors.TRUNCATED.code,
]);

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stats = {
  cases: 0,
  validCases: 0,
  bytes: 0,
  pushes: 0,
  frames: 0,
  rejections: {} as Record<string, number>,
  maxCaseMs: 0,
  decodeMs: 0,
  maxAllocation: 0,
  ms: 0,
};

// Observe (not alter) every allocation the decoder makes while it runs. A plain wrapper rather than
// vi.spyOn, which would record, and so retain, every buffer allocated during the run.
let measuring = false;
const allocUnsafe = Buffer.allocUnsafe;
function observedAllocUnsafe(size: number): Buffer {
  if (measuring && size > stats.maxAllocation) stats.maxAllocation = size;
  return allocUnsafe.call(Buffer, size);
}

/** Runs one case; returns the frames decoded before any error, and the error code (or undefined). */
function run(bytes: Buffer, chunks: number[]): { frames: Frame[]; code: string | undefined } {
  const decoder = new FrameDecoder({ maxPayload: LIMIT });
  const frames: Frame[] = [];
  let code: string | undefined;
  let at = 0;
  const started = performance.now();
  measuring = true;
  try {
    for (const size of chunks) {
      stats.pushes++;
      frames.push(...decoder.push(bytes.subarray(at, at + size)));
      at += size;
      if (decoder.error !== undefined) break;
    }
    if (decoder.error === undefined) decoder.end();
    else throw decoder.error;
  } catch (err) {
    if (!isRrError(err) || !DECODER_CODES.has(err.code)) throw new Error(`foreign error escaped the decoder: ${String(err)}`, { cause: err });
    code = err.code;
    // Poisoned: the same error again, without decoding anything.
    let again: unknown;
    try {
      decoder.push(POISON_PROBE);
    } catch (e) {
      again = e;
    }
    if (again !== err) throw new Error(`the decoder is not poisoned after ${err.code}; got ${String(again)}`, { cause: err });
  } finally {
    measuring = false;
  }
  const ms = performance.now() - started;
  if (ms > stats.maxCaseMs) stats.maxCaseMs = ms;
  stats.decodeMs += ms;
  for (const frame of frames) if (frame.payload.length > LIMIT) throw new Error(`a ${frame.payload.length}-byte payload passed the limit`);
  stats.cases++;
  stats.bytes += bytes.length;
  stats.frames += frames.length;
  if (code !== undefined) stats.rejections[code] = (stats.rejections[code] ?? 0) + 1;
  return { frames, code };
}

function flip(bytes: Buffer, at: number, bit: number): void {
  bytes[at] = (bytes[at] as number) ^ (1 << bit);
}

const POISON_PROBE = Buffer.from([0x13]);

function fixCrc(bytes: Buffer, at: number): void {
  if (bytes.length >= at + 10) bytes.writeUInt32LE(crc32(bytes.subarray(at, at + 6)), at + 6);
}

describe('FrameDecoder fuzz', () => {
  beforeAll(() => {
    Buffer.allocUnsafe = observedAllocUnsafe as typeof Buffer.allocUnsafe;
  });

  afterAll(() => {
    Buffer.allocUnsafe = allocUnsafe;
    const codes = Object.entries(stats.rejections)
      .sort()
      .map(([code, n]) => `${code.replace('RR_ERR_GORIDGE_', '')}=${n}`)
      .join(' ');
    console.log(
      `goridge fuzz: ${stats.cases} cases (${stats.validCases} intact), ${(stats.bytes / 1e6).toFixed(1)} MB in ${stats.pushes} pushes, ` +
        `${stats.frames} frames, ${stats.ms.toFixed(0)} ms total (${stats.decodeMs.toFixed(0)} ms decoding), slowest case ${stats.maxCaseMs.toFixed(2)} ms, ` +
        `largest decoder allocation ${stats.maxAllocation} B (limit ${LIMIT}); rejections: ${codes}`,
    );
  });

  it(`survives ${SEEDED_CASES} seeded random and mutated inputs split at random`, { timeout: 120_000 }, () => {
    const rnd = prng(0x5eed_2025);
    const int = (n: number) => Math.floor(rnd() * n);
    const randomBytes = (n: number) => {
      const b = Buffer.allocUnsafe(n);
      // Large payloads only need a length: their content never reaches a header.
      if (n > 1024) return b.fill(int(256));
      for (let i = 0; i < n; i++) b[i] = int(256);
      return b;
    };
    const payloadLength = () => {
      const r = rnd();
      return r < 0.7 ? int(48) : r < 0.98 ? int(512) : int(LIMIT + 8192);
    };
    const validFrame = () =>
      encodeFrame({
        flags: int(256),
        byte10: int(256),
        options: Array.from({ length: int(11) }, () => int(2 ** 32)),
        payload: randomBytes(payloadLength()),
      });
    const strays = ['hello\n', 'Could not open input file: worker.php\n', 'PHP Warning:  Undefined variable $x\n', 'array(1) {\n  [0]=>\n  int(1)\n}\n'];

    const started = performance.now();
    for (let i = 0; i < SEEDED_CASES; i++) {
      const count = 1 + int(3);
      const frames = Array.from({ length: count }, validFrame);
      const starts = frames.reduce<number[]>((acc, f, k) => [...acc, k === 0 ? 0 : (acc[k - 1] as number) + (frames[k - 1] as Buffer).length], []);
      let bytes = Buffer.concat(frames);
      const target = starts[int(starts.length)] as number;
      const mutation = int(11);
      switch (mutation) {
        case 0: // intact
          break;
        case 1: // random bit flips anywhere
          for (let k = 1 + int(8); k > 0; k--) flip(bytes, int(bytes.length), int(8));
          break;
        case 2: // bit flips in bytes 0..5 of a header, CRC recomputed so the header is "valid"
          flip(bytes, target + int(6), int(8));
          fixCrc(bytes, target);
          break;
        case 3: // declared length anywhere up to 4 GiB − 1, CRC recomputed
          bytes.writeUInt32LE(rnd() < 0.5 ? int(2 ** 32) : 0xffff_ffff - int(16), target + 2);
          fixCrc(bytes, target);
          break;
        case 4: // header length nibble 0..15, CRC recomputed
          bytes[target] = (bytes[target] as number & 0xf0) | int(16);
          fixCrc(bytes, target);
          break;
        case 5: // truncated
          bytes = bytes.subarray(0, int(bytes.length));
          break;
        case 6: // random bytes appended
          bytes = Buffer.concat([bytes, randomBytes(1 + int(64))]);
          break;
        case 7: // random bytes inserted
          {
            const at = int(bytes.length);
            bytes = Buffer.concat([bytes.subarray(0, at), randomBytes(1 + int(16)), bytes.subarray(at)]);
          }
          break;
        case 8: // stray text before a frame
          bytes = Buffer.concat([bytes.subarray(0, target), Buffer.from(strays[int(strays.length)] as string), bytes.subarray(target)]);
          break;
        case 9: // pure noise
          bytes = randomBytes(int(512));
          break;
        default: // a huge declared length with a valid CRC and nothing behind it
          bytes = Buffer.alloc(12);
          bytes[0] = 0x13;
          bytes.writeUInt32LE(LIMIT + 1 + int(2 ** 32 - LIMIT - 1), 2);
          fixCrc(bytes, 0);
      }
      const chunks: number[] = [];
      // Byte-by-byte and tiny chunks on inputs small enough to keep the run short; big inputs in big chunks.
      const mode = bytes.length <= 600 ? int(4) : bytes.length <= 8192 ? 1 + int(3) : 2 + int(2);
      for (let left = bytes.length; left > 0; ) {
        const size = Math.min(left, mode === 0 ? 1 : mode === 1 ? 1 + int(16) : mode === 2 ? 1 + int(4096) : left);
        chunks.push(size);
        left -= size;
      }
      const { frames: decoded, code } = run(bytes, chunks);
      if (mutation === 0) {
        stats.validCases++;
        const oversized = frames.findIndex((f) => f.readUInt32LE(2) > LIMIT);
        if (oversized < 0) {
          expect(code).toBeUndefined();
          // Re-encoding every decoded frame must give back the input exactly (Buffer.equals: toEqual walks bytes one by one).
          const again = Buffer.concat(decoded.map((f) => encodeFrame({ flags: f.flags, byte10: f.byte10, options: f.options, payload: f.payload })));
          if (!again.equals(bytes)) expect(again.toString('hex')).toBe(bytes.toString('hex'));
        } else {
          expect(code).toBe(goridgeErrors.FRAME_TOO_LARGE.code);
          expect(decoded).toHaveLength(oversized);
        }
      }
    }
    stats.ms += performance.now() - started;
    expect(stats.maxAllocation).toBeLessThanOrEqual(LIMIT);
    // "Never hangs": a case that loops would never return; the bound is generous so a loaded CI machine
    // (a single case takes a few ms when idle, up to a few hundred under contention) cannot fail it.
    expect(stats.maxCaseMs).toBeLessThan(5_000);
  });

  it('round-trips any frames under any chunking (fast-check)', { timeout: 60_000 }, () => {
    const frameArb = fc.record({
      flags: fc.integer({ min: 0, max: 255 }),
      byte10: fc.integer({ min: 0, max: 255 }),
      options: fc.array(fc.nat({ max: 0xffff_ffff }), { maxLength: 10 }),
      payload: fc.uint8Array({ maxLength: 600 }),
    });
    const started = performance.now();
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (inits, sizes) => {
        const encoded = inits.map((init) => encodeFrame(init));
        const bytes = Buffer.concat(encoded);
        const chunks: number[] = [];
        for (let left = bytes.length, k = 0; left > 0; k++) {
          const size = Math.min(left, sizes[k % sizes.length] as number);
          chunks.push(size);
          left -= size;
        }
        const { frames, code } = run(bytes, chunks);
        expect(code).toBeUndefined();
        expect(frames.map((f) => ({ flags: f.flags, byte10: f.byte10, options: f.options, payload: new Uint8Array(f.payload) }))).toEqual(
          inits.map((i) => ({ ...i, payload: new Uint8Array(i.payload) })),
        );
      }),
      { numRuns: 2000, seed: 2025 },
    );
    stats.ms += performance.now() - started;
  });
});
