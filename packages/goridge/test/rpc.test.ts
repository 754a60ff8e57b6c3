import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { RrError } from '@rr/errors';
import {
  CODEC_GOB,
  CODEC_JSON,
  CODEC_MSGPACK,
  CODEC_PROTO,
  CODEC_RAW,
  ERROR,
  RpcClient,
  RpcServer,
  StreamRelay,
  codecName,
  connectRelay,
  encodeFrame,
  goridgeErrors,
  rpcCodecOf,
  type Frame,
  type RpcRequest,
} from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { delay, next, rejection, relayPair, tempDir } from './helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const seen: RpcRequest[] = [];

function makeServer(options?: ConstructorParameters<typeof RpcServer>[0]): RpcServer {
  const server = new RpcServer(options);
  server.register({
    namespace: 'informer',
    methods: {
      List: () => ['http'],
      Echo: (req) => {
        seen.push(req);
        return req.body;
      },
      Sum: (req) => (JSON.parse(req.body.toString()) as number[]).reduce((a, b) => a + b, 0),
      Slow: async (req) => {
        await delay(Number(req.body.toString()));
        return `slept ${req.body.toString()}`;
      },
      Nothing: () => undefined,
      Null: () => null,
      Text: () => 'plain text',
      Object: () => ({ not: 'bytes' }),
      Big: () => 10n,
      Coded: () => {
        throw new RrError('RR_ERR_KV_NO_SUCH_STORAGE', 'no such storage: users');
      },
      Plain: () => {
        throw new Error('boom');
      },
      Weird: () => {
        throw 'a string';
      },
      Rejects: () => Promise.reject(new TypeError('async boom')),
      BadJson: () => Buffer.from('{not json'),
      Empty: () => Buffer.alloc(0),
    },
  });
  return server;
}

describe.each([
  ['tcp', () => 'tcp://127.0.0.1:0'],
  [
    'unix',
    () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      return `unix://${dir}/rpc.sock`;
    },
  ],
])('RPC over %s', (kind, dsnFor) => {
  async function start(options?: ConstructorParameters<typeof RpcServer>[0]): Promise<{ server: RpcServer; address: string; client: RpcClient }> {
    const server = makeServer(options);
    const address = await server.listen(dsnFor());
    cleanups.push(() => server.close());
    const client = await RpcClient.connect(address);
    cleanups.push(() => client.close());
    return { server, address, client };
  }

  it('round-trips JSON calls', async () => {
    const { client, server, address } = await start();
    expect(server.address).toBe(address);
    expect(await client.call('informer.List', true)).toEqual(['http']);
    expect(await client.call('informer.Sum', [1, 2, 3])).toBe(6);
    expect(await client.call('informer.Echo', Buffer.from('{"raw":"json"}'))).toEqual({ raw: 'json' });
    expect(await client.call('informer.Nothing')).toBeNull();
    expect(await client.call('informer.Empty')).toBeUndefined();
  });

  it('passes RAW and PROTO bodies through as bytes', async () => {
    const { client } = await start();
    const bytes = Buffer.from([0, 1, 2, 255]);
    expect(await client.call('informer.Echo', bytes, CODEC_RAW)).toEqual(bytes);
    expect(await client.call('informer.Echo', bytes, CODEC_PROTO)).toEqual(bytes);
    expect((seen.at(-1) as RpcRequest).codec).toBe(CODEC_PROTO);
    expect(((await client.call('informer.Echo', 'text', CODEC_RAW)) as Buffer).toString()).toBe('text');
    expect(((await client.call('informer.Text', undefined, CODEC_RAW)) as Buffer).toString()).toBe('plain text');
    expect(await client.call('informer.Null', undefined, CODEC_RAW)).toEqual(Buffer.alloc(0));
    expect(await client.call('informer.Nothing', undefined, CODEC_PROTO)).toEqual(Buffer.alloc(0));
  });

  it('runs calls concurrently and matches replies by sequence, not order', async () => {
    const { client } = await start();
    const order: string[] = [];
    const slow = client.call('informer.Slow', Buffer.from('120'), CODEC_RAW).then((r) => order.push(String(r)));
    const fast = client.call('informer.Slow', Buffer.from('1'), CODEC_RAW).then((r) => order.push(String(r)));
    const middle = client.call('informer.Slow', Buffer.from('40'), CODEC_RAW).then((r) => order.push(String(r)));
    await Promise.all([slow, fast, middle]);
    expect(order).toEqual(['slept 1', 'slept 40', 'slept 120']);
  });

  it('numbers calls from 1 and echoes any sequence it receives', async () => {
    const { client, address } = await start();
    await client.call('informer.Echo', [1]);
    expect((seen.at(-1) as RpcRequest).seq).toBe(1);
    await client.call('informer.Echo', [2]);
    expect((seen.at(-1) as RpcRequest).seq).toBe(2);

    // PHP's counter is per process: a connection may start anywhere (seq 99 here), made by hand.
    const raw = await connectRelay(address);
    cleanups.push(() => raw.close());
    await raw.send(encodeFrame({ flags: CODEC_JSON, options: [99, 13], payload: Buffer.from('informer.Listtrue') }));
    const reply = await raw.receive(5000);
    expect(reply.options).toEqual([99, 13]);
    expect(reply.flags).toBe(CODEC_JSON);
    expect(reply.payload.toString()).toBe('informer.List["http"]');
    await raw.send(encodeFrame({ flags: CODEC_PROTO, options: [7, 8], payload: Buffer.from('kv.Clear') }));
    const failed = await raw.receive(5000);
    expect(failed.options).toEqual([7, 8]);
    expect(failed.flags).toBe(CODEC_PROTO | ERROR);
    expect(failed.payload.toString()).toBe("kv.Clearrpc: can't find service kv.Clear");
  });

  it.each([
    ['informer.Missing', "rpc: can't find method informer.Missing"],
    ['informer.constructor', "rpc: can't find method informer.constructor"],
    ['informer.toString', "rpc: can't find method informer.toString"],
    ['kv.Has', "rpc: can't find service kv.Has"],
    ['a.b.C', "rpc: can't find service a.b.C"],
    ['nodot', 'rpc: service/method request ill-formed: nodot'],
    ['', 'rpc: service/method request ill-formed: '],
  ])('answers %j with Go net/rpc\'s wording', async (method, text) => {
    const { client } = await start();
    const err = await rejection(client.call(method, {}));
    expect(err).toMatchObject({ code: goridgeErrors.RPC_REMOTE.code, details: { method, text, remoteCode: undefined } });
  });

  it('sends handler errors as "<code>: <message>"', async () => {
    const { client } = await start();
    expect((await rejection(client.call('informer.Coded'))).details).toMatchObject({
      text: 'RR_ERR_KV_NO_SUCH_STORAGE: no such storage: users',
      remoteCode: 'RR_ERR_KV_NO_SUCH_STORAGE',
    });
    expect((await rejection(client.call('informer.Plain'))).details).toMatchObject({ text: 'RR_ERR_INTERNAL: boom', remoteCode: 'RR_ERR_INTERNAL' });
    expect((await rejection(client.call('informer.Weird'))).details).toMatchObject({ text: 'RR_ERR_INTERNAL: a string' });
    expect((await rejection(client.call('informer.Rejects'))).details).toMatchObject({ text: 'RR_ERR_INTERNAL: async boom' });
  });

  it('reports replies the codec cannot carry', async () => {
    const { client } = await start();
    expect((await rejection(client.call('informer.Big'))).details['remoteCode']).toBe(goridgeErrors.RPC_ENCODE_FAILED.code);
    expect((await rejection(client.call('informer.Object', undefined, CODEC_RAW))).details['remoteCode']).toBe(goridgeErrors.RPC_ENCODE_FAILED.code);
  });

  it('answers MSGPACK and GOB requests with an unsupported-codec error', async () => {
    const { client } = await start();
    for (const codec of [CODEC_MSGPACK, CODEC_GOB] as const) {
      const err = await rejection(client.call('informer.List', Buffer.alloc(0), codec));
      expect(err.details['text']).toMatch(/^RR_ERR_GORIDGE_RPC_UNSUPPORTED_CODEC: the (msgpack|gob) codec is not supported/);
    }
  });

  it('rejects an oversized request and closes only that connection', async () => {
    const { client, server, address } = await start({ maxPayload: 1024 });
    const errors: RrError[] = [];
    server.on('error', (err) => errors.push(err));
    const other = await RpcClient.connect(address);
    cleanups.push(() => other.close());
    const err = await rejection(client.call('informer.Echo', Buffer.alloc(2048), CODEC_RAW));
    expect(err.code).toBe(goridgeErrors.RPC_CONNECTION_CLOSED.code);
    expect(errors.map((e) => e.code)).toEqual([goridgeErrors.FRAME_TOO_LARGE.code]);
    expect(await other.call('informer.List')).toEqual(['http']);
    expect(await rejection(client.call('informer.List'))).toMatchObject({ code: goridgeErrors.RPC_CONNECTION_CLOSED.code });
  });

  it('closes a connection that sends a malformed frame and keeps serving the others', async () => {
    const { server, address, client } = await start();
    const errors: RrError[] = [];
    server.on('error', (err) => errors.push(err));
    for (const bad of [
      encodeFrame({ flags: CODEC_JSON, options: [1], payload: Buffer.from('informer.List') }),
      encodeFrame({ flags: CODEC_JSON, options: [1, 50], payload: Buffer.from('informer.List') }),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    ]) {
      const raw = await connectRelay(address);
      cleanups.push(() => raw.close());
      await raw.send(bad);
      await next(raw, 'close');
      expect(await client.call('informer.List')).toEqual(['http']);
    }
    expect(errors.map((e) => e.code)).toEqual([goridgeErrors.RPC_BAD_FRAME.code, goridgeErrors.RPC_BAD_FRAME.code, goridgeErrors.STRAY_OUTPUT.code]);
    expect(errors[0]?.message).toContain('expected 2 options');
    expect(errors[1]?.message).toContain('exceeds');
  });

  it('keeps serving when nobody listens to its errors', async () => {
    const { address, client } = await start();
    const raw = await connectRelay(address);
    await raw.send(encodeFrame({ flags: CODEC_JSON }));
    await next(raw, 'close');
    expect(await client.call('informer.List')).toEqual(['http']);
  });

  it('closes connections on close, failing pending calls', async () => {
    const { server, client, address } = await start();
    const pending = client.call('informer.Slow', Buffer.from('200'), CODEC_RAW);
    await delay(20);
    await server.close();
    await server.close();
    expect(server.address).toBeUndefined();
    expect(await rejection(pending)).toMatchObject({ code: goridgeErrors.RPC_CONNECTION_CLOSED.code });
    expect(await rejection(RpcClient.connect(address))).toMatchObject({ code: goridgeErrors.CONNECT_FAILED.code });
    if (kind === 'unix') expect(existsSync(address.slice('unix://'.length))).toBe(false);
  });

  it('refuses to listen twice', async () => {
    const { server } = await start();
    expect(await rejection(server.listen(dsnFor()))).toMatchObject({ code: goridgeErrors.LISTEN_FAILED.code });
  });
});

describe('RpcServer', () => {
  it('rejects a second service with the same namespace', () => {
    const server = makeServer();
    expect(() => server.register({ namespace: 'informer', methods: {} })).toThrow(expect.objectContaining({ code: goridgeErrors.RPC_DUPLICATE_SERVICE.code }));
    expect(server.register({ namespace: 'resetter', methods: {} })).toBe(server);
  });

  it('validates its options', () => {
    expect(() => new RpcServer({ maxPayload: 2 ** 40 })).toThrow(expect.objectContaining({ code: goridgeErrors.INVALID_OPTION.code }));
  });

  it('serves any relay, e.g. pipes', async () => {
    const { a, b } = relayPair();
    const server = makeServer();
    server.serve(b);
    const client = new RpcClient(a);
    expect(await client.call('informer.Sum', [20, 22])).toBe(42);
    await client.close();
  });

  it('drops a reply whose connection closed meanwhile', async () => {
    const { a, b } = relayPair();
    makeServer().serve(b);
    const client = new RpcClient(a);
    const pending = client.call('informer.Slow', Buffer.from('30'), CODEC_RAW);
    await b.close();
    expect(await rejection(pending)).toMatchObject({ code: goridgeErrors.RPC_CONNECTION_CLOSED.code });
    await delay(50);
  });
});

describe('rpcCodecOf', () => {
  it('picks PROTO, JSON, RAW, MSGPACK, GOB in that order, GOB without a codec bit', () => {
    expect(rpcCodecOf(0xff)).toBe(CODEC_PROTO);
    expect(rpcCodecOf(CODEC_JSON | CODEC_RAW | ERROR)).toBe(CODEC_JSON);
    expect(rpcCodecOf(CODEC_RAW | CODEC_MSGPACK)).toBe(CODEC_RAW);
    expect(rpcCodecOf(CODEC_MSGPACK | CODEC_GOB)).toBe(CODEC_MSGPACK);
    expect(rpcCodecOf(CODEC_GOB)).toBe(CODEC_GOB);
    expect(rpcCodecOf(0)).toBe(CODEC_GOB);
    expect([CODEC_PROTO, CODEC_JSON, CODEC_RAW, CODEC_MSGPACK, CODEC_GOB].map(codecName)).toEqual(['protobuf', 'json', 'raw', 'msgpack', 'gob']);
  });
});

describe('RpcClient', () => {
  /** A client over pipes, and the server end as a relay the test answers by hand. */
  function fakeServer(): { client: RpcClient; server: StreamRelay } {
    const { a, b } = relayPair();
    return { client: new RpcClient(a), server: b };
  }

  const reply = (request: Frame, init: { flags?: number; options?: number[]; body?: string }) =>
    encodeFrame({
      flags: init.flags ?? request.flags,
      options: init.options ?? request.options,
      payload: [request.payload.subarray(0, request.options[1]), init.body ?? ''],
    });

  it('encodes arguments per codec', async () => {
    const { client, server } = fakeServer();
    const bodies: string[] = [];
    server.on('frame', (frame) => {
      bodies.push(frame.payload.subarray(frame.options[1]).toString());
      void server.send(reply(frame, { body: 'null' }));
    });
    await client.call('x.Y', { a: 1 });
    await client.call('x.Y', undefined);
    await client.call('x.Y', () => 1);
    await client.call('x.Y', 'str', CODEC_RAW);
    await client.call('x.Y', Buffer.from('bytes'), CODEC_PROTO);
    expect(bodies).toEqual(['{"a":1}', '', '', 'str', 'bytes']);
    expect(await rejection(client.call('x.Y', 1n))).toMatchObject({ code: goridgeErrors.RPC_ENCODE_FAILED.code });
    expect(await rejection(client.call('x.Y', { a: 1 }, CODEC_RAW))).toMatchObject({ code: goridgeErrors.RPC_ENCODE_FAILED.code });
  });

  it('rejects a JSON reply it cannot parse, and only that call', async () => {
    const { client, server } = fakeServer();
    server.on('frame', (frame) => void server.send(reply(frame, { body: frame.options[0] === 1 ? '{broken' : '7' })));
    expect(await rejection(client.call('x.Y'))).toMatchObject({ code: goridgeErrors.RPC_BAD_REPLY.code });
    expect(await client.call('x.Y')).toBe(7);
  });

  it.each([
    ['a reply without two options', (f: Frame) => reply(f, { options: [f.options[0] as number] })],
    ['a reply for an unknown sequence', (f: Frame) => reply(f, { options: [12345, f.options[1] as number] })],
    ['a method length beyond the payload', (f: Frame) => reply(f, { options: [f.options[0] as number, 999] })],
  ])('drops the connection on %s', async (_what, make) => {
    const { client, server } = fakeServer();
    server.on('frame', (frame) => void server.send(make(frame)));
    const first = client.call('x.Y');
    const second = client.call('x.Y');
    expect(await rejection(first)).toMatchObject({ code: goridgeErrors.RPC_BAD_FRAME.code });
    expect(await rejection(second)).toMatchObject({ code: goridgeErrors.RPC_BAD_FRAME.code });
    expect(await rejection(client.call('x.Y'))).toMatchObject({ code: goridgeErrors.RPC_BAD_FRAME.code });
  });

  it('fails calls whose frame cannot be written', async () => {
    const output = new Writable({
      write(_chunk, _enc, callback) {
        setImmediate(() => callback(new Error('EPIPE')));
      },
    });
    const client = new RpcClient(new StreamRelay(new PassThrough(), output, { strayGraceMs: 10_000 }));
    const failed = once(output, 'error');
    const first = client.call('x.Y');
    // The next call must see the write error, so wait for it rather than for a guessed delay.
    await failed;
    expect(await rejection(client.call('x.Y'))).toMatchObject({ code: goridgeErrors.IO.code });
    await client.close();
    expect(await rejection(first)).toMatchObject({ code: goridgeErrors.RPC_CONNECTION_CLOSED.code });
  });

  it('fails pending calls with the relay error as cause when the connection breaks', async () => {
    const input = new PassThrough();
    const client = new RpcClient(new StreamRelay(input, new PassThrough(), { strayGraceMs: 0 }));
    const pending = client.call('x.Y');
    input.write('not goridge at all');
    const err = await rejection(pending);
    expect(err.code).toBe(goridgeErrors.RPC_CONNECTION_CLOSED.code);
    expect(err.cause).toMatchObject({ code: goridgeErrors.STRAY_OUTPUT.code });
  });
});
