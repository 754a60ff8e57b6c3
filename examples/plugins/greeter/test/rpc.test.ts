import { CODEC_PROTO, CODEC_RAW, RpcClient, RpcServer } from '@rr/goridge';
import type { RrError } from '@rr/kernel';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createGreeterRpc, Greeter, greeterConfigSchema } from '../src/index.js';
import { call } from './helpers.js';

const endpoint = () => createGreeterRpc(new Greeter(greeterConfigSchema.parse({ max_name_length: 8 })), recordingLogger());

describe('greeter endpoint (no socket)', () => {
  it('is the greeter namespace with Hello and Stats', () => {
    const rpc = endpoint();
    expect(rpc.namespace).toBe('greeter');
    expect(Object.keys(rpc.methods)).toEqual(['Hello', 'Stats']);
  });

  it('Hello answers the message and the count; Stats the totals', async () => {
    const rpc = endpoint();
    expect(await call(rpc, 'Hello', { name: 'Ada' })).toEqual({ message: 'Hello, Ada!', count: 1 });
    expect(await call(rpc, 'Hello', { name: 'Ada' })).toEqual({ message: 'Hello, Ada!', count: 2 });
    expect(await call(rpc, 'Stats', true)).toEqual({ total: 2, names: 1 });
  });

  it.each([
    ['an empty body', undefined],
    ['null', null],
    ['{}', {}],
    ['an empty name', { name: '' }],
  ])('Hello greets the default name for %s', async (_name, arg) => {
    expect(await call(endpoint(), 'Hello', arg)).toEqual({ message: 'Hello, world!', count: 1 });
  });

  it.each([
    ['a string', 'Ada', 'greeter.Hello: expected an object such as {"name": "Ada"}'],
    ['a list', ['Ada'], 'greeter.Hello: expected an object such as {"name": "Ada"}'],
    ['a number name', { name: 7 }, 'greeter.Hello: name must be a string, got number'],
  ])('Hello refuses %s', async (_name, arg, message) => {
    await expect(call(endpoint(), 'Hello', arg)).rejects.toMatchObject({ code: 'RR_ERR_GREETER_BAD_ARGUMENT', message });
  });

  it('Hello refuses a body that is not JSON, and a name too long', async () => {
    const rpc = endpoint();
    await expect(Promise.resolve().then(() => rpc.methods.Hello?.({ method: 'greeter.Hello', body: Buffer.from('{'), codec: 0x08 }))).rejects.toMatchObject({
      code: 'RR_ERR_GREETER_BAD_ARGUMENT',
      message: 'greeter.Hello: the argument is not valid JSON',
    });
    await expect(call(rpc, 'Hello', { name: 'Bartholomew' })).rejects.toMatchObject({ code: 'RR_ERR_GREETER_NAME_TOO_LONG' });
  });

  it.each([
    [CODEC_RAW, 'raw'],
    [CODEC_PROTO, 'protobuf'],
    [0x02, '0x2'],
  ])('refuses codec %i', async (codec, name) => {
    for (const method of ['Hello', 'Stats']) {
      await expect(call(endpoint(), method, {}, codec)).rejects.toMatchObject({
        code: 'RR_ERR_GREETER_BAD_ARGUMENT',
        message: `greeter.${method}: only the JSON codec is supported, got ${name}`,
      });
    }
  });
});

describe('greeter over goridge RPC', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('answers a real client, errors as "<code>: <message>"', async () => {
    server = new RpcServer().register(endpoint());
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
    expect(await client.call('greeter.Hello', { name: 'Ada' })).toEqual({ message: 'Hello, Ada!', count: 1 });
    const err = (await client.call('greeter.Hello', { name: 'Bartholomew' }).catch((e: unknown) => e)) as RrError;
    expect(err.details).toMatchObject({ remoteCode: 'RR_ERR_GREETER_NAME_TOO_LONG' });
  });
});
