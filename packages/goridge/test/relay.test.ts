import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { RrError } from '@rr/errors';
import {
  CODEC_JSON,
  CODEC_RAW,
  CONTROL,
  SocketRelay,
  StreamRelay,
  connectRelay,
  encodeData,
  encodeFrame,
  formatDsn,
  goridgeErrors,
  parseDsn,
  type Frame,
} from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { delay, next, rejection, relayPair, stopChild, tempDir } from './helpers.js';

const data = (text: string) => encodeData(CODEC_RAW, Buffer.alloc(0), Buffer.from(text));
const bodyOf = (frame: Frame) => frame.payload.subarray(frame.options[0]).toString();

describe('StreamRelay', () => {
  it('reports what a dying worker printed even when the write error (EPIPE) came first', async () => {
    // Regression: the write-error timer used to close the relay with a bare I/O error while the
    // worker's "Could not open input file" text was still being collected.
    const input = new PassThrough();
    const output = new Writable({ write: (_c, _e, cb) => cb(new Error('EPIPE')) });
    const relay = new StreamRelay(input, output, { strayGraceMs: 300 });
    relay.on('error', () => undefined);
    const closed = next(relay, 'close');
    await relay.send(Buffer.from('handshake')).catch(() => undefined);
    await delay(20); // the write error's timer is now half way through its grace period
    input.write('Could not open input file: missing.php\n');
    const error = (await closed) as RrError | undefined;
    expect(error?.code).toBe(goridgeErrors.FILE_NOT_FOUND.code);
    expect(String(error?.message)).toContain('missing.php');
  });

  it('carries frames both ways and emits them in order', async () => {
    const { a, b } = relayPair();
    const got: string[] = [];
    b.on('frame', (frame) => got.push(bodyOf(frame)));
    await a.send(Buffer.concat([data('one'), data('two')]));
    await a.send(data('three'));
    await delay(10);
    expect(got).toEqual(['one', 'two', 'three']);
    await b.send(data('back'));
    expect(bodyOf(await a.receive(1000))).toBe('back');
    await a.close();
    await b.close();
  });

  it('holds frames that arrive while nobody listens, and pauses reading until someone does', async () => {
    const { a, b } = relayPair();
    await a.send(Buffer.concat([data('1'), data('2'), data('3')]));
    await delay(10);
    expect(bodyOf(await b.receive())).toBe('1');
    expect(bodyOf(await b.receive())).toBe('2');
    await a.send(data('4'));
    await delay(10);
    const rest: string[] = [];
    b.on('frame', (frame) => rest.push(bodyOf(frame)));
    await delay(10);
    expect(rest).toEqual(['3', '4']);
    await a.close();
  });

  it('times out a receive without harming the relay', async () => {
    const { a, b } = relayPair();
    expect(await rejection(b.receive(20))).toMatchObject({ code: goridgeErrors.TIMEOUT.code });
    await a.send(data('late'));
    expect(bodyOf(await b.receive(1000))).toBe('late');
    await a.close();
  });

  it('rejects sends and receives once closed, and closes once', async () => {
    const { a, b } = relayPair();
    const closes: unknown[] = [];
    a.on('close', (err) => closes.push(err));
    const pending = a.receive();
    await a.close();
    await a.close();
    expect(a.closed).toBe(true);
    expect(closes).toEqual([undefined]);
    expect(await rejection(pending)).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
    expect(await rejection(a.receive())).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
    expect(await rejection(a.send(data('x')))).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
    // The peer sees the end of its input.
    expect(await next(b, 'close')).toBeUndefined();
  });

  it('still delivers frames held before the peer closed', async () => {
    const { a, b } = relayPair();
    await a.send(data('last words'));
    await a.close();
    await delay(10);
    expect(b.closed).toBe(true);
    expect(bodyOf(await b.receive())).toBe('last words');
    expect(await rejection(b.receive())).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
  });

  it('writes each frame with exactly one write() and waits for drain when the buffer is full', async () => {
    const writes: number[] = [];
    let release: (() => void) | undefined;
    const output = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _enc, callback) {
        writes.push(chunk.length);
        release = () => callback();
      },
    });
    const relay = new StreamRelay(new PassThrough(), output);
    const frame = encodeFrame({ flags: CODEC_JSON, payload: Buffer.alloc(100) });
    let sent = false;
    const first = relay.send(frame).then(() => (sent = true));
    const second = relay.send(frame);
    await delay(10);
    expect(sent).toBe(false);
    expect(writes).toEqual([112]);
    release?.();
    await delay(1);
    release?.();
    await Promise.all([first, second]);
    expect(writes).toEqual([112, 112]);
    // A relay closing while a send waits for drain rejects that send.
    const stuck = relay.send(frame);
    await relay.close();
    expect(await rejection(stuck)).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
  });

  describe('stray output', () => {
    it('fails with the bytes the worker printed, as relay error and close reason', async () => {
      const input = new PassThrough();
      const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 30 });
      const errors: RrError[] = [];
      relay.on('error', (err) => errors.push(err));
      const closed = next<RrError>(relay, 'close');
      input.write('hello\n');
      input.write(encodeFrame({ flags: CONTROL, payload: Buffer.from('{"pid":1}') }));
      const reason = await closed;
      expect(reason).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
      expect(reason.message).toContain('"hello\\n\\x13\\x01');
      expect(errors).toEqual([reason]);
      expect(relay.error).toBe(reason);
    });

    it('collects what follows within the grace period so the whole message shows', async () => {
      const input = new PassThrough();
      const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 200 });
      const received = relay.receive();
      input.write('PHP Warning:  Undefined');
      await delay(20);
      input.write(' variable $x in /app/worker.php on line 3\n');
      const err = await rejection(received);
      expect(err).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
      expect(err.message).toContain('"PHP Warning:  Undefined variable $x in /app/worker.php on line 3\\n"');
    });

    it('stops collecting at 256 bytes', async () => {
      const input = new PassThrough();
      const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 10_000 });
      const closed = next<RrError>(relay, 'close');
      input.write('x'.repeat(20));
      await delay(5);
      input.write('y'.repeat(300));
      const reason = await closed;
      expect((reason.details['bytes'] as Buffer).length).toBe(256);
    });

    it('still reports the stray output when closed while collecting it', async () => {
      const input = new PassThrough();
      const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 10_000 });
      const closed = next<RrError>(relay, 'close');
      input.write('echo from a worker');
      await delay(5);
      await relay.close();
      const reason = await closed;
      expect(reason).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code, message: expect.stringContaining('"echo from a worker"') });
      expect(relay.error).toBe(reason);
    });

    it('stops collecting when the stream ends', async () => {
      const input = new PassThrough();
      const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 10_000 });
      const closed = next<RrError>(relay, 'close');
      input.end('Could not open input file: x.php\n');
      const reason = await closed;
      expect(reason).toMatchObject({ code: goridgeErrors.FILE_NOT_FOUND.code });
      expect(reason.message).toContain('"Could not open input file: x.php\\n"');
    });

    it('fails at once with strayGraceMs 0, or when 256 bytes are already there', async () => {
      const quick = new PassThrough();
      const relay = new StreamRelay(quick, new PassThrough(), { strayGraceMs: 0 });
      const closed = next<RrError>(relay, 'close');
      quick.write('hello, this is not a frame');
      expect((await closed).message).toContain('"hello, this is not a frame"');
      const full = new PassThrough();
      const other = new StreamRelay(full, new PassThrough(), { strayGraceMs: 10_000 });
      const otherClosed = next(other, 'close');
      full.write('z'.repeat(400));
      expect(await otherClosed).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
    });

    it('delivers good frames that precede the garbage in the same chunk', async () => {
      const input = new PassThrough();
      const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 0 });
      const frames: string[] = [];
      relay.on('frame', (frame) => frames.push(bodyOf(frame)));
      const closed = next(relay, 'close');
      input.write(Buffer.concat([data('ok'), Buffer.from('garbage after it')]));
      expect(await closed).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
      expect(frames).toEqual(['ok']);
    });
  });

  it('rejects oversized frames before reading their payload', async () => {
    const input = new PassThrough();
    const relay = new StreamRelay(input, new PassThrough(), { maxPayload: 16 });
    const closed = next(relay, 'close');
    input.write(encodeFrame({ flags: CODEC_RAW, payload: Buffer.alloc(17) }).subarray(0, 12));
    expect(await closed).toMatchObject({ code: goridgeErrors.FRAME_TOO_LARGE.code });
  });

  it('reports a stream that ends inside a frame', async () => {
    const input = new PassThrough();
    const relay = new StreamRelay(input, new PassThrough());
    const closed = next(relay, 'close');
    input.end(data('cut short').subarray(0, 20));
    expect(await closed).toMatchObject({ code: goridgeErrors.TRUNCATED.code });
  });

  it('reports input errors as I/O errors', async () => {
    const input = new PassThrough();
    const relay = new StreamRelay(input, new PassThrough());
    const closed = next<RrError>(relay, 'close');
    input.destroy(new Error('EIO: device gone'));
    const reason = await closed;
    expect(reason).toMatchObject({ code: goridgeErrors.IO.code });
    expect(reason.message).toContain('EIO: device gone');
  });

  it('fails sends after a write error, and closes when the input ends or after the grace period', async () => {
    const broken = () =>
      new Writable({
        // Like a pipe to a dead process: the write is accepted, EPIPE arrives afterwards.
        write(_chunk, _enc, callback) {
          setImmediate(() => callback(new Error('EPIPE: broken pipe')));
        },
      });
    const input = new PassThrough();
    const relay = new StreamRelay(input, broken(), { strayGraceMs: 10_000 });
    await relay.send(data('first'));
    await delay(5);
    expect(await rejection(relay.send(data('second')))).toMatchObject({ code: goridgeErrors.IO.code });
    expect(relay.closed).toBe(false);
    input.end();
    expect(await next(relay, 'close')).toMatchObject({ code: goridgeErrors.IO.code });

    const other = new StreamRelay(new PassThrough(), broken(), { strayGraceMs: 20 });
    await other.send(data('x'));
    expect(await next(other, 'close')).toMatchObject({ code: goridgeErrors.IO.code, message: expect.stringContaining('EPIPE') });
  });

  it('rejects a send waiting for drain when the output fails', async () => {
    const output = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, callback) {
        setTimeout(() => callback(new Error('EPIPE')), 5);
      },
    });
    const relay = new StreamRelay(new PassThrough(), output);
    expect(await rejection(relay.send(data('x')))).toMatchObject({ code: goridgeErrors.IO.code });
    await relay.close();
  });

  it('never throws for errors nobody listens to', async () => {
    const input = new PassThrough();
    const relay = new StreamRelay(input, new PassThrough(), { strayGraceMs: 0 });
    const closed = next(relay, 'close');
    input.write('definitely not a frame');
    await closed;
    expect(relay.error).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
  });

  it('validates its options', () => {
    expect(() => new StreamRelay(new PassThrough(), new PassThrough(), { strayGraceMs: -1 })).toThrow(
      expect.objectContaining({ code: goridgeErrors.INVALID_OPTION.code }),
    );
    expect(() => new StreamRelay(new PassThrough(), new PassThrough(), { maxPayload: -1 })).toThrow(
      expect.objectContaining({ code: goridgeErrors.INVALID_OPTION.code }),
    );
  });

  it('drops frames of a chunk once a listener closed the relay', async () => {
    const { a, b } = relayPair();
    const seen: string[] = [];
    b.on('frame', (frame) => {
      seen.push(bodyOf(frame));
      void b.close();
    });
    // The peer closes while this very write is delivered, so the send itself fails.
    await a.send(Buffer.concat([data('1'), data('2')])).catch(() => undefined);
    await delay(10);
    expect(seen).toEqual(['1']);
  });
});

describe('parseDsn / formatDsn', () => {
  it.each([
    ['tcp://127.0.0.1:6001', { kind: 'tcp', host: '127.0.0.1', port: 6001 }],
    ['tcp://localhost:0', { kind: 'tcp', host: 'localhost', port: 0 }],
    ['tcp://:7000', { kind: 'tcp', host: '', port: 7000 }],
    ['tcp://[::1]:6001', { kind: 'tcp', host: '::1', port: 6001 }],
    ['unix:///tmp/rr.sock', { kind: 'unix', path: '/tmp/rr.sock' }],
    ['unix://rr.sock', { kind: 'unix', path: 'rr.sock' }],
  ])('parses %s', (dsn, parsed) => {
    expect(parseDsn(dsn)).toEqual(parsed);
    expect(formatDsn(parseDsn(dsn))).toBe(dsn);
  });

  it.each(['pipes', 'tcp://host', 'tcp://host:99999', 'tcp://a:b:1', 'unix://', 'http://x:1', ''])('rejects %j', (dsn) => {
    expect(() => parseDsn(dsn)).toThrow(expect.objectContaining({ code: goridgeErrors.BAD_DSN.code }));
  });
});

describe('SocketRelay and connectRelay', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function echoServer(dsn: string): Promise<string> {
    const server = createServer((socket) => socket.pipe(socket));
    const target = parseDsn(dsn);
    await new Promise<void>((resolve) => server.listen(target.kind === 'tcp' ? { host: target.host, port: target.port } : { path: target.path }, resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    return typeof address === 'string' ? `unix://${address}` : `tcp://127.0.0.1:${address?.port}`;
  }

  it('round-trips frames over TCP', async () => {
    const relay = await connectRelay(await echoServer('tcp://127.0.0.1:0'));
    await relay.send(data('over tcp'));
    expect(bodyOf(await relay.receive(1000))).toBe('over tcp');
    await relay.close();
    expect(relay.socket.destroyed || relay.socket.writableEnded).toBe(true);
  });

  it('round-trips frames over a unix socket', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const relay = await connectRelay(await echoServer(`unix://${dir}/echo.sock`));
    const big = Buffer.alloc(1024 * 1024, 7);
    await relay.send(encodeData(CODEC_RAW, Buffer.alloc(0), big));
    const frame = await relay.receive(5000);
    expect(frame.payload.equals(big)).toBe(true);
    await relay.close();
  });

  it('flushes, then destroys the socket on close', async () => {
    const relay = await connectRelay(await echoServer('tcp://127.0.0.1:0'));
    await relay.close();
    await new Promise((resolve) => relay.socket.once('close', resolve));
    expect(relay.socket.destroyed).toBe(true);
  });

  it('fails to connect to a closed port, a missing socket and a bad address', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await rejection(connectRelay(`tcp://127.0.0.1:${port}`))).toMatchObject({ code: goridgeErrors.CONNECT_FAILED.code });
    expect(await rejection(connectRelay('unix:///nonexistent/rr.sock'))).toMatchObject({ code: goridgeErrors.CONNECT_FAILED.code });
    expect(await rejection(connectRelay('pipes'))).toMatchObject({ code: goridgeErrors.BAD_DSN.code });
  });

  it('gives up connecting after timeoutMs', async () => {
    // A listener whose process never accepts: once its backlog is full, further SYNs are dropped.
    const child = spawn(process.execPath, [
      '-e',
      `const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         process.stdout.write(s.address().port + '\\n');
         setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 20);
       });`,
    ]);
    cleanups.push(() => stopChild(child));
    const port = await new Promise<number>((resolve) => child.stdout.once('data', (d) => resolve(Number(String(d)))));
    await delay(100);
    const fillers: Socket[] = [];
    for (let i = 0; i < 3; i++) fillers.push(connect({ host: '127.0.0.1', port }).on('error', () => undefined));
    cleanups.push(() => fillers.forEach((s) => s.destroy()));
    await delay(50);
    const err = await rejection(connectRelay(`tcp://127.0.0.1:${port}`, { timeoutMs: 150 }));
    expect(err).toMatchObject({ code: goridgeErrors.CONNECT_FAILED.code, message: expect.stringContaining('timed out') });
  });

  it('is a StreamRelay over one socket', async () => {
    const relay = await connectRelay(await echoServer('tcp://127.0.0.1:0'));
    expect(relay).toBeInstanceOf(SocketRelay);
    expect(relay).toBeInstanceOf(StreamRelay);
    relay.socket.destroy(new Error('ECONNRESET'));
    expect(await next(relay, 'close')).toMatchObject({ code: goridgeErrors.IO.code });
  });
});
