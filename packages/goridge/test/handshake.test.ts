import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { RrError } from '@rr/errors';
import {
  CODEC_JSON,
  CODEC_RAW,
  CONTROL,
  RelayListener,
  StreamRelay,
  connectRelay,
  decodeFrame,
  encodeData,
  encodeFrame,
  goridgeErrors,
  handshake,
  type SocketRelay,
} from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { delay, next, rejection, relayPair, spawnFakeWorker, stopChild, tempDir } from './helpers.js';

const children: ChildProcessWithoutNullStreams[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map(stopChild));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function pipeRelay(mode: string): { child: ChildProcessWithoutNullStreams; relay: StreamRelay } {
  const child = spawnFakeWorker(mode);
  children.push(child);
  return { child, relay: new StreamRelay(child.stdout, child.stdin, { strayGraceMs: 50 }) };
}

describe('handshake over pipes (a real child process)', () => {
  it('sends CONTROL|JSON {"pid":ours} and returns the pid the worker reports', async () => {
    const { child, relay } = pipeRelay('ok');
    expect(await handshake(relay, 4242, 5000)).toBe(child.pid);
    // The worker is ready: a data frame goes through (the fake worker echoes it).
    await relay.send(encodeData(CODEC_RAW, Buffer.from('{}'), Buffer.from('ping')));
    const echoed = await relay.receive(5000);
    expect(echoed.payload.toString()).toBe('{}ping');
    await relay.close();
  });

  it('writes the PID request PROTOCOL §3.2 describes', async () => {
    const { a, b } = relayPair();
    const done = handshake(a, 12345, 1000);
    const request = await b.receive(1000);
    expect(encodeFrame({ flags: request.flags, payload: request.payload }).toString('hex')).toBe('13090d0000003a6bfacb00007b22706964223a31323334357d');
    await b.send(encodeFrame({ flags: CONTROL, payload: Buffer.from('{"pid":4242}') }));
    expect(await done).toBe(4242);
  });

  it('reports stray output printed before the reply, showing it', async () => {
    const { relay } = pipeRelay('hello');
    const err = await rejection(handshake(relay, process.pid, 5000));
    expect(err.code).toBe(goridgeErrors.STRAY_OUTPUT.code);
    expect(err.message).toContain('"hello\\n');
    expect(err.hint).toContain('stderr');
  });

  it('reports PHP\'s "Could not open input file" with the whole line', async () => {
    const { relay } = pipeRelay('couldnot');
    const err = await rejection(handshake(relay, process.pid, 5000));
    expect(err.code).toBe(goridgeErrors.FILE_NOT_FOUND.code);
    expect(err.message).toContain('"Could not open input file: missing-worker.php\\n"');
  });

  it.each([
    ['nocontrol', goridgeErrors.HANDSHAKE_NO_CONTROL.code],
    ['badjson', goridgeErrors.HANDSHAKE_BAD_JSON.code],
    ['notobject', goridgeErrors.HANDSHAKE_BAD_JSON.code],
    ['badpid', goridgeErrors.HANDSHAKE_BAD_PID.code],
    ['stringpid', goridgeErrors.HANDSHAKE_BAD_PID.code],
  ])('rejects a %s reply', async (mode, code) => {
    const { relay } = pipeRelay(mode);
    expect(await rejection(handshake(relay, process.pid, 5000))).toMatchObject({ code });
  });

  it('times out when the worker never answers', async () => {
    const { relay } = pipeRelay('silent');
    expect(await rejection(handshake(relay, process.pid, 200))).toMatchObject({
      code: goridgeErrors.HANDSHAKE_TIMEOUT.code,
      details: { timeoutMs: 200 },
    });
  });

  it('fails when the worker exits instead of answering', async () => {
    const { relay } = pipeRelay('exit');
    expect(await rejection(handshake(relay, process.pid, 5000))).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
  });

  it('fails at once on a closed relay', async () => {
    const { a } = relayPair();
    await a.close();
    expect(await rejection(handshake(a, 1, 1000))).toMatchObject({ code: goridgeErrors.RELAY_CLOSED.code });
  });

  it('names the missing pid', async () => {
    const { a, b } = relayPair();
    const done = handshake(a, 1, 1000);
    await b.receive(1000);
    await b.send(encodeFrame({ flags: CONTROL | CODEC_JSON, payload: Buffer.from('{"stop":true}') }));
    const err = await rejection(done);
    expect(err).toMatchObject({ code: goridgeErrors.HANDSHAKE_BAD_PID.code });
    expect(err.message).toContain('no pid');
  });
});

/** A worker on the client side of a socket relay: connect, answer the PID request with `pid`. */
async function socketWorker(dsn: string, pid: number, reply?: Buffer): Promise<{ relay: SocketRelay; request: Buffer }> {
  const relay = await connectRelay(dsn);
  cleanups.push(() => relay.close());
  const request = await relay.receive(5000);
  await relay.send(reply ?? encodeFrame({ flags: CONTROL, payload: Buffer.from(JSON.stringify({ pid })) }));
  return { relay, request: request.payload };
}

describe.each([
  ['tcp', () => 'tcp://127.0.0.1:0'],
  ['unix', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    return `unix://${dir}/relay.sock`;
  }],
])('RelayListener over %s', (_kind, dsnFor) => {
  async function listen(options?: Parameters<typeof RelayListener.listen>[1]): Promise<RelayListener> {
    const listener = await RelayListener.listen(dsnFor(), options);
    cleanups.push(() => listener.close());
    return listener;
  }

  it('hands over the relay of the worker that reports the awaited pid', async () => {
    const listener = await listen({ pid: 777 });
    const waiting = listener.waitForPid(1001, 5000);
    const announced = next<number>(listener, 'relay');
    const { relay: workerSide, request } = await socketWorker(listener.address, 1001);
    expect(JSON.parse(request.toString())).toEqual({ pid: 777 });
    const serverSide = await waiting;
    expect(await announced).toBe(1001);
    await serverSide.send(encodeData(CODEC_RAW, Buffer.alloc(0), Buffer.from('job')));
    expect((await workerSide.receive(5000)).payload.toString()).toBe('job');
  });

  it('keeps a worker that connected before anyone waited for it', async () => {
    const listener = await listen();
    await socketWorker(listener.address, 2002);
    await delay(20);
    const relay = await listener.waitForPid(2002, 1000);
    expect(relay.closed).toBe(false);
    // Claimed relays are no longer held.
    expect(await rejection(listener.waitForPid(2002, 50))).toMatchObject({ code: goridgeErrors.WAIT_PID_TIMEOUT.code });
  });

  it('serves several waiters of the same pid in order', async () => {
    const listener = await listen();
    const first = listener.waitForPid(3003, 5000);
    const second = listener.waitForPid(3003, 5000);
    await socketWorker(listener.address, 3003);
    await socketWorker(listener.address, 3003);
    expect(await first).not.toBe(await second);
  });

  it('replaces an unclaimed relay when another connection reports the same pid', async () => {
    const listener = await listen();
    await socketWorker(listener.address, 4004);
    await delay(20);
    await socketWorker(listener.address, 4004);
    await delay(20);
    const relay = await listener.waitForPid(4004, 1000);
    expect(relay.closed).toBe(false);
  });

  it('forgets an unclaimed relay that closes', async () => {
    const listener = await listen();
    const { relay } = await socketWorker(listener.address, 5005);
    await delay(20);
    await relay.close();
    await delay(50);
    expect(await rejection(listener.waitForPid(5005, 50))).toMatchObject({ code: goridgeErrors.WAIT_PID_TIMEOUT.code });
  });

  it('closes connections that fail the handshake, reports them, and gives the failure as the timeout cause', async () => {
    const listener = await listen();
    const errors: RrError[] = [];
    listener.on('error', (err) => errors.push(err));
    const waiting = listener.waitForPid(6006, 300);
    const { relay } = await socketWorker(listener.address, 6006, encodeFrame({ flags: CODEC_JSON, payload: Buffer.from('{"pid":6006}') }));
    await next(relay, 'close');
    const err = await rejection(waiting);
    expect(err.code).toBe(goridgeErrors.WAIT_PID_TIMEOUT.code);
    expect(err.cause).toMatchObject({ code: goridgeErrors.HANDSHAKE_NO_CONTROL.code });
    expect(errors.map((e) => e.code)).toEqual([goridgeErrors.HANDSHAKE_NO_CONTROL.code]);
  });

  it('shows stray output a socket worker sends instead of its reply, without an error listener', async () => {
    const listener = await listen({ strayGraceMs: 20 });
    const waiting = listener.waitForPid(7007, 400);
    const { relay } = await socketWorker(listener.address, 7007, Buffer.from('Warning: not a frame at all\n'));
    await next(relay, 'close');
    const err = await rejection(waiting);
    expect(err.cause).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code, message: expect.stringContaining('Warning: not a frame at all') });
  });

  it('times out the handshake of a silent connection', async () => {
    const listener = await listen({ handshakeTimeoutMs: 50 });
    const errors: RrError[] = [];
    listener.on('error', (err) => errors.push(err));
    const relay = await connectRelay(listener.address);
    cleanups.push(() => relay.close());
    await next(relay, 'close');
    expect(errors.map((e) => e.code)).toEqual([goridgeErrors.HANDSHAKE_TIMEOUT.code]);
  });

  it('on close rejects waiters, drops pending and unclaimed connections, and refuses new waits', async () => {
    const listener = await listen();
    const errors: RrError[] = [];
    listener.on('error', (err) => errors.push(err));
    await socketWorker(listener.address, 8008);
    const handshaking = await connectRelay(listener.address);
    cleanups.push(() => handshaking.close());
    await handshaking.receive(5000);
    const waiting = listener.waitForPid(9009, 5000);
    await listener.close();
    await listener.close();
    expect(await rejection(waiting)).toMatchObject({ code: goridgeErrors.LISTENER_CLOSED.code, details: { pid: 9009 } });
    expect(await rejection(listener.waitForPid(8008, 100))).toMatchObject({ code: goridgeErrors.LISTENER_CLOSED.code });
    await next(handshaking, 'close');
    expect(errors).toEqual([]);
  });

  it('closes a connection whose handshake completes after the listener closed', async () => {
    const listener = await listen();
    const relay = await connectRelay(listener.address);
    cleanups.push(() => relay.close());
    await relay.receive(5000);
    await listener.close();
    await relay.send(encodeFrame({ flags: CONTROL, payload: Buffer.from('{"pid":1}') })).catch(() => undefined);
    await next(relay, 'close');
  });

  it('validates relay options before binding', async () => {
    expect(await rejection(RelayListener.listen(dsnFor(), { maxPayload: -5 }))).toMatchObject({ code: goridgeErrors.INVALID_OPTION.code });
  });
});

describe('RelayListener addresses', () => {
  it('resolves port 0 to the bound port', async () => {
    const listener = await RelayListener.listen('tcp://127.0.0.1:0');
    expect(listener.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(listener.address).not.toBe('tcp://127.0.0.1:0');
    await listener.close();
  });

  it('listens on every interface for an empty host', async () => {
    const listener = await RelayListener.listen('tcp://:0');
    const port = Number(listener.address.split(':').pop());
    await socketWorker(`tcp://127.0.0.1:${port}`, 1);
    await listener.close();
  });

  it('fails on a port in use', async () => {
    const listener = await RelayListener.listen('tcp://127.0.0.1:0');
    expect(await rejection(RelayListener.listen(listener.address))).toMatchObject({ code: goridgeErrors.LISTEN_FAILED.code });
    await listener.close();
  });

  it('removes a stale unix socket file, and removes its own on close', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = `${dir}/stale.sock`;
    // A socket file without a process behind it: its listener was SIGKILLed and could not unlink it.
    const owner = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
    await new Promise((resolve) => owner.stdout.once('data', resolve));
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    expect(existsSync(path)).toBe(true);
    const listener = await RelayListener.listen(`unix://${path}`);
    await socketWorker(listener.address, 42);
    await listener.close();
    expect(existsSync(path)).toBe(false);
  });

  it('leaves a live unix socket and a regular file alone', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const live = await RelayListener.listen(`unix://${dir}/live.sock`);
    cleanups.push(() => live.close());
    expect(await rejection(RelayListener.listen(`unix://${dir}/live.sock`))).toMatchObject({ code: goridgeErrors.LISTEN_FAILED.code });
    writeFileSync(`${dir}/file.sock`, 'not a socket');
    const err = await rejection(RelayListener.listen(`unix://${dir}/file.sock`));
    expect(err).toMatchObject({ code: goridgeErrors.LISTEN_FAILED.code, message: expect.stringContaining('not a socket') });
    expect(existsSync(`${dir}/file.sock`)).toBe(true);
  });
});

it('decodes what the fake worker sends exactly like PHP frames', () => {
  // The fake worker builds frames with zlib.crc32, independent of our encoder.
  expect(decodeFrame(Buffer.from('13010c0000009e47364300007b22706964223a343234327d', 'hex')).payload.toString()).toBe('{"pid":4242}');
});
