import { CODEC_JSON, CODEC_PROTO, CODEC_RAW, RpcClient, RpcServer } from '@rr/goridge';
import type { RrError } from '@rr/kernel';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createResetterRpc, Resetter } from '../src/index.js';
import { fakeResettable } from './helpers.js';

function endpoint() {
  const http = fakeResettable('http');
  const broken = fakeResettable('jobs', { fail: new Error('pool is gone') });
  const rpc = createResetterRpc(new Resetter([http, broken], recordingLogger()));
  const call = (method: string, arg: unknown, codec = CODEC_JSON) =>
    Promise.resolve().then(() => rpc.methods[method]?.({ method: `resetter.${method}`, body: Buffer.from(arg === undefined ? '' : JSON.stringify(arg)), codec }));
  return { rpc, http, call };
}

describe('resetter endpoint (no socket)', () => {
  it('is the resetter namespace with List and Reset', () => {
    const { rpc } = endpoint();
    expect(rpc.namespace).toBe('resetter');
    expect(Object.keys(rpc.methods)).toEqual(['List', 'Reset']);
  });

  it('List ignores its argument', async () => {
    const { call } = endpoint();
    expect(await call('List', true)).toEqual(['http', 'jobs']);
    expect(await call('List', undefined)).toEqual(['http', 'jobs']);
  });

  it('Reset answers true after the reset', async () => {
    const { call, http } = endpoint();
    expect(await call('Reset', 'http')).toBe(true);
    expect(http.resets).toBe(1);
  });

  it('Reset refuses an unknown plugin and an empty argument', async () => {
    const { call } = endpoint();
    await expect(call('Reset', 'grpc')).rejects.toMatchObject({ code: 'RR_ERR_RESETTER_NO_SUCH_PLUGIN', message: 'no such plugin: grpc' });
    await expect(call('Reset', undefined)).rejects.toMatchObject({ code: 'RR_ERR_RESETTER_NO_SUCH_PLUGIN', message: 'no such plugin: ' });
  });

  it('Reset reports a failed reset', async () => {
    const { call } = endpoint();
    await expect(call('Reset', 'jobs')).rejects.toMatchObject({ code: 'RR_ERR_RESETTER_RESET_FAILED' });
  });

  it.each([
    ['a number', 1, 'resetter.Reset: expected a plugin name (a JSON string), got number'],
    ['a list', ['http'], 'resetter.Reset: expected a plugin name (a JSON string), got object'],
  ])('Reset refuses %s', async (_name, arg, message) => {
    const { call } = endpoint();
    await expect(call('Reset', arg)).rejects.toMatchObject({ code: 'RR_ERR_RESETTER_BAD_ARGUMENT', message });
  });

  it('Reset refuses a body that is not JSON', async () => {
    const { rpc } = endpoint();
    await expect(Promise.resolve(rpc.methods.Reset?.({ method: 'resetter.Reset', body: Buffer.from('http'), codec: CODEC_JSON }))).rejects.toMatchObject({
      code: 'RR_ERR_RESETTER_BAD_ARGUMENT',
    });
  });

  it.each([
    [CODEC_RAW, 'raw'],
    [CODEC_PROTO, 'protobuf'],
    [0x02, '0x2'],
  ])('refuses codec %i', async (codec, name) => {
    const { call } = endpoint();
    for (const method of ['List', 'Reset']) {
      await expect(call(method, 'http', codec)).rejects.toMatchObject({ code: 'RR_ERR_RESETTER_UNSUPPORTED_CODEC', message: `resetter.${method} takes the JSON codec, got ${name}` });
    }
  });
});

describe('resetter over goridge RPC', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('answers rr reset', async () => {
    server = new RpcServer().register(endpoint().rpc);
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
    expect(await client.call('resetter.List', true)).toEqual(['http', 'jobs']);
    expect(await client.call('resetter.Reset', 'http')).toBe(true);
    const err = (await client.call('resetter.Reset', 'nope').catch((e: unknown) => e)) as RrError;
    expect(err.details).toMatchObject({ text: 'RR_ERR_RESETTER_NO_SUCH_PLUGIN: no such plugin: nope', remoteCode: 'RR_ERR_RESETTER_NO_SUCH_PLUGIN' });
  });
});
