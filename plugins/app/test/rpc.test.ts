import { CODEC_JSON, CODEC_PROTO, CODEC_RAW, RpcClient, RpcServer } from '@rr/goridge';
import type { RrError } from '@rr/kernel';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppRpc, decodeLogEntry, encodeLogEntry } from '../src/index.js';

function endpoint() {
  const logger = recordingLogger();
  const rpc = createAppRpc(logger.named('app'));
  const call = (method: string, body: Buffer, codec: number) => Promise.resolve().then(() => rpc.methods[method]?.({ method: `app.${method}`, body, codec }));
  const json = (method: string, arg: unknown) => call(method, Buffer.from(arg === undefined ? '' : JSON.stringify(arg)), CODEC_JSON);
  return { rpc, logger, call, json };
}

const LEVELS = [
  ['Error', 'error'],
  ['Warning', 'warn'],
  ['Info', 'info'],
  ['Debug', 'debug'],
] as const;

// LogEntry{message: "user created", attributes: [{id: "42"}, {user: "{\"a\":1}"}]}, byte by byte as protoc writes it.
const ENTRY_BYTES = Buffer.concat([
  Buffer.from([0x0a, 12]),
  Buffer.from('user created'),
  Buffer.from([0x12, 8, 0x0a, 2]),
  Buffer.from('id'),
  Buffer.from([0x12, 2]),
  Buffer.from('42'),
  Buffer.from([0x12, 15, 0x0a, 4]),
  Buffer.from('user'),
  Buffer.from([0x12, 7]),
  Buffer.from('{"a":1}'),
]);

describe('app endpoint (no socket)', () => {
  it('is the app namespace with RoadRunner’s ten methods', () => {
    expect(endpoint().rpc.namespace).toBe('app');
    expect(Object.keys(endpoint().rpc.methods).sort()).toEqual(
      ['Debug', 'DebugWithContext', 'Error', 'ErrorWithContext', 'Info', 'InfoWithContext', 'Log', 'LogWithContext', 'Warning', 'WarningWithContext'].sort(),
    );
  });

  it.each(LEVELS)('%s logs the JSON string at %s in the app channel and answers true', async (method, level) => {
    const { json, logger } = endpoint();
    expect(await json(method, 'order 7 shipped')).toBe(true);
    expect(logger.lines).toEqual([{ level, channel: 'app', message: 'order 7 shipped', fields: {} }]);
  });

  it('an empty body is the empty message', async () => {
    const { json, logger } = endpoint();
    expect(await json('Info', undefined)).toBe(true);
    expect(logger.lines).toEqual([{ level: 'info', channel: 'app', message: '', fields: {} }]);
  });

  it('Log writes the text raw and answers true', async () => {
    const { json, logger } = endpoint();
    expect(await json('Log', 'plain text\n')).toBe(true);
    expect(logger.lines).toEqual([{ level: 'raw', channel: 'app', message: 'plain text\n', fields: {} }]);
  });

  it('decodes protoc bytes', () => {
    expect(decodeLogEntry(ENTRY_BYTES)).toEqual({ message: 'user created', attributes: [{ key: 'id', value: '42' }, { key: 'user', value: '{"a":1}' }] });
    expect(encodeLogEntry(decodeLogEntry(ENTRY_BYTES))).toEqual(ENTRY_BYTES);
  });

  it.each(LEVELS)('%sWithContext logs at %s with the attributes as string fields and answers an empty Response', async (method, level) => {
    const { call, logger } = endpoint();
    const reply = await call(`${method}WithContext`, ENTRY_BYTES, CODEC_PROTO);
    expect(Buffer.isBuffer(reply) && reply.length).toBe(0);
    expect(logger.lines).toEqual([{ level, channel: 'app', message: 'user created', fields: { id: '42', user: '{"a":1}' } }]);
  });

  it('WithContext: no attributes, a repeated key (last wins), unknown fields skipped, an empty entry', async () => {
    const { call, logger } = endpoint();
    await call('InfoWithContext', encodeLogEntry({ message: 'a', attributes: [] }), CODEC_PROTO);
    await call('InfoWithContext', encodeLogEntry({ message: 'b', attributes: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }, { key: 'e', value: '' }] }), CODEC_PROTO);
    await call('InfoWithContext', Buffer.concat([Buffer.from([0x18, 0x01, 0x25, 0, 0, 0, 0]), encodeLogEntry({ message: 'c', attributes: [] })]), CODEC_PROTO);
    await call('InfoWithContext', Buffer.alloc(0), CODEC_PROTO);
    expect(logger.lines.map((l) => [l.message, l.fields])).toEqual([
      ['a', {}],
      ['b', { k: '2', e: '' }],
      ['c', {}],
      ['', {}],
    ]);
  });

  it('LogWithContext writes the message raw with the attributes as key=value', async () => {
    const { call, logger } = endpoint();
    await call('LogWithContext', ENTRY_BYTES, CODEC_PROTO);
    await call('LogWithContext', encodeLogEntry({ message: 'just this', attributes: [] }), CODEC_PROTO);
    expect(logger.lines).toEqual([
      { level: 'raw', channel: 'app', message: 'user created id=42 user={"a":1}', fields: {} },
      { level: 'raw', channel: 'app', message: 'just this', fields: {} },
    ]);
  });

  it.each([
    ['a truncated message', Buffer.from([0x0a, 9, 0x61])],
    ['a truncated varint key', Buffer.from([0x80])],
    ['message as a varint', Buffer.from([0x08, 0x01])],
    ['attributes as a varint', Buffer.from([0x10, 0x01])],
    ['a malformed attribute', Buffer.from([0x12, 2, 0x0a, 5])],
    ['wire type 7', Buffer.from([0x0f])],
  ])('refuses %s with a coded error and logs nothing', async (_name, body) => {
    const { call, logger } = endpoint();
    for (const method of ['ErrorWithContext', 'LogWithContext']) {
      await expect(call(method, body, CODEC_PROTO)).rejects.toMatchObject({ code: 'RR_ERR_APP_BAD_ARGUMENT', message: expect.stringContaining(`app.${method}: malformed applogger.v1.LogEntry: `) });
    }
    expect(logger.lines).toEqual([]);
  });

  it.each([
    ['a number', 5, 'expected the message as a JSON string, got number'],
    ['null', null, 'expected the message as a JSON string, got null'],
    ['an object', { m: 'x' }, 'expected the message as a JSON string, got object'],
  ])('refuses %s as message', async (_name, arg, text) => {
    const { json } = endpoint();
    for (const method of ['Error', 'Warning', 'Info', 'Debug', 'Log']) {
      await expect(json(method, arg)).rejects.toMatchObject({ code: 'RR_ERR_APP_BAD_ARGUMENT', message: `app.${method}: ${text}` });
    }
  });

  it('refuses a body that is not JSON', async () => {
    const { call } = endpoint();
    await expect(call('Info', Buffer.from('hello'), CODEC_JSON)).rejects.toMatchObject({ code: 'RR_ERR_APP_BAD_ARGUMENT', message: 'app.Info: the argument is not valid JSON' });
  });

  it('refuses the wrong codec on every method', async () => {
    const { call } = endpoint();
    for (const [method] of LEVELS) {
      await expect(call(method, ENTRY_BYTES, CODEC_PROTO)).rejects.toMatchObject({ code: 'RR_ERR_APP_UNSUPPORTED_CODEC', message: `app.${method} takes the JSON codec, got protobuf` });
      await expect(call(`${method}WithContext`, Buffer.from('"x"'), CODEC_JSON)).rejects.toMatchObject({
        code: 'RR_ERR_APP_UNSUPPORTED_CODEC',
        message: `app.${method}WithContext takes the protobuf codec, got JSON`,
      });
    }
    await expect(call('Log', Buffer.from('x'), CODEC_RAW)).rejects.toMatchObject({ code: 'RR_ERR_APP_UNSUPPORTED_CODEC', message: 'app.Log takes the JSON codec, got raw' });
    await expect(call('LogWithContext', Buffer.from('x'), 0x40)).rejects.toMatchObject({ code: 'RR_ERR_APP_UNSUPPORTED_CODEC', message: 'app.LogWithContext takes the protobuf codec, got 0x40' });
  });
});

describe('app over goridge RPC', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('answers what PHP’s app-logger sends', async () => {
    const { rpc, logger } = endpoint();
    server = new RpcServer().register(rpc);
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
    expect(await client.call('app.Warning', 'disk almost full')).toBe(true);
    expect(Buffer.from((await client.call('app.ErrorWithContext', ENTRY_BYTES, CODEC_PROTO)) as Uint8Array).length).toBe(0);
    const err = (await client.call('app.Info', 5).catch((e: unknown) => e)) as RrError;
    expect(err.details.text).toBe('RR_ERR_APP_BAD_ARGUMENT: app.Info: expected the message as a JSON string, got number');
    expect(logger.lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'disk almost full'],
      ['error', 'user created'],
    ]);
  });
});
