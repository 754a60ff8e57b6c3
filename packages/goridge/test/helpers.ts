import { isRrError, type RrError } from '@rr/errors';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { StreamRelay, type RelayOptions } from '@rr/goridge';

/**
 * A fake PHP worker for pipe tests, run with `node -e`. It answers the PID request according to its mode,
 * then echoes every later frame back unchanged. Modes:
 * ok · hello (prints "hello\n" to stdout first) · nocontrol · badjson · notobject · badpid · stringpid ·
 * silent (never answers) · couldnot (prints PHP's "Could not open input file" and exits) · exit (exits on the request).
 */
const FAKE_WORKER = String.raw`
const zlib = require('node:zlib');
const mode = process.argv[1];
function frame(flags, payload) {
  const p = Buffer.from(payload);
  const b = Buffer.alloc(12 + p.length);
  b[0] = 0x13; b[1] = flags; b.writeUInt32LE(p.length, 2);
  b.writeUInt32LE(zlib.crc32(b.subarray(0, 6)), 6);
  p.copy(b, 12);
  return b;
}
if (mode === 'couldnot') {
  process.stdout.write('Could not open input file: missing-worker.php\n');
  process.exit(1);
}
let buf = Buffer.alloc(0);
let first = true;
process.stdin.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 12) {
    const total = (buf[0] & 15) * 4 + buf.readUInt32LE(2);
    if (buf.length < total) break;
    const f = buf.subarray(0, total);
    buf = buf.subarray(total);
    if (!first) { process.stdout.write(f); continue; }
    first = false;
    const pid = JSON.stringify({ pid: process.pid });
    switch (mode) {
      case 'ok': process.stdout.write(frame(0x01, pid)); break;
      case 'hello': process.stdout.write('hello\n'); process.stdout.write(frame(0x01, pid)); break;
      case 'nocontrol': process.stdout.write(frame(0x08, pid)); break;
      case 'badjson': process.stdout.write(frame(0x01, 'not json')); break;
      case 'notobject': process.stdout.write(frame(0x01, '[1]')); break;
      case 'badpid': process.stdout.write(frame(0x01, '{"pid":0}')); break;
      case 'stringpid': process.stdout.write(frame(0x01, '{"pid":"12"}')); break;
      case 'silent': break;
      case 'exit': process.exit(0);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
`;

/** Spawns the fake worker; kill it with {@link stopChild}. */
export function spawnFakeWorker(mode: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['-e', FAKE_WORKER, mode], { stdio: 'pipe' });
}

/** Kills a child (by its own handle) and waits for it to exit. */
export async function stopChild(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

/** Two relays wired back to back through PassThrough streams (a → b and b → a). */
export function relayPair(options?: RelayOptions): { a: StreamRelay; b: StreamRelay; aToB: PassThrough; bToA: PassThrough } {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return { a: new StreamRelay(bToA, aToB, options), b: new StreamRelay(aToB, bToA, options), aToB, bToA };
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rr-goridge-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Resolves on the next `event` of an emitter. */
export function next<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (value: T) => resolve(value)));
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The coded error a promise rejects with (fails the test if it resolves or rejects with anything else). */
export async function rejection(promise: Promise<unknown>): Promise<RrError> {
  try {
    await promise;
  } catch (err) {
    if (isRrError(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}
