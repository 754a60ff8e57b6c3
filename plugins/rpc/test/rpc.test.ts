import { join } from 'node:path';
import { CODEC_JSON, CODEC_RAW, RpcClient } from '@rr/goridge';
import type { CoreConfig, RrError } from '@rr/kernel';
import { describe, expect, it } from 'vitest';
import { createRpcPlugin, createRpcRpc } from '../src/index.js';
import { endpointPlugin, startRpc, tempDir } from './helpers.js';

const remote = (err: unknown) => {
  const e = err as RrError;
  return { code: e.code, text: e.details.text, remoteCode: e.details.remoteCode };
};

describe.each([
  ['tcp', () => 'tcp://127.0.0.1:0'],
  ['unix', () => `unix://${join(tempDir(), 'rr.sock')}`],
])('over %s', (_name, listen) => {
  it('calls a plugin endpoint with the JSON codec', async () => {
    const { client } = await startRpc({ listen: listen() });
    expect(await client.call('echo.Echo', { a: [1, 'two'] })).toEqual({ a: [1, 'two'] });
    expect(await client.call('echo.Later', true)).toBe('later');
  });

  it('calls with the RAW codec and gets bytes back', async () => {
    const { client } = await startRpc({ listen: listen() });
    const reply = await client.call<Buffer>('echo.Echo', Buffer.from([0, 1, 2]), CODEC_RAW);
    expect([...reply]).toEqual([0, 1, 2]);
  });

  it("answers an unknown method and service with Go net/rpc's text", async () => {
    const { client } = await startRpc({ listen: listen() });
    expect(remote(await client.call('echo.Nope', true).catch((e: unknown) => e))).toEqual({
      code: 'RR_ERR_GORIDGE_RPC_REMOTE',
      text: "rpc: can't find method echo.Nope",
      remoteCode: undefined,
    });
    expect(remote(await client.call('kv.Has', true).catch((e: unknown) => e))).toMatchObject({ text: "rpc: can't find service kv.Has" });
    expect(remote(await client.call('nodot', true).catch((e: unknown) => e))).toMatchObject({ text: 'rpc: service/method request ill-formed: nodot' });
  });

  it('sends an RrError as "<code>: <message>" and anything else as RR_ERR_INTERNAL', async () => {
    const { client } = await startRpc({ listen: listen() });
    expect(remote(await client.call('echo.Fail', true).catch((e: unknown) => e))).toEqual({
      code: 'RR_ERR_GORIDGE_RPC_REMOTE',
      text: 'RR_ERR_ECHO_NO_STORAGE: no such storage: users',
      remoteCode: 'RR_ERR_ECHO_NO_STORAGE',
    });
    expect(remote(await client.call('echo.Crash', true).catch((e: unknown) => e))).toMatchObject({ text: 'RR_ERR_INTERNAL: kaboom', remoteCode: 'RR_ERR_INTERNAL' });
  });

  it('rpc.Config returns the effective config as base64 JSON under JSON, raw bytes under RAW', async () => {
    const { client } = await startRpc({ listen: listen(), config: { http: { address: ':8080', pool: { num_workers: 2 } } } });
    const rpc = { listen: expect.any(String) };
    const base64 = await client.call<string>('rpc.Config', true);
    const json = JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as unknown;
    expect(json).toEqual({ version: '3', http: { address: ':8080', pool: { num_workers: 2 } }, rpc });
    const raw = await client.call<Buffer>('rpc.Config', '', CODEC_RAW);
    expect(raw.toString('utf8')).toBe(Buffer.from(base64, 'base64').toString('utf8'));
    // Go's encoder sorts map keys.
    expect(Object.keys(json as object)).toEqual(['http', 'rpc', 'version']);
  });

  it('rpc.Version returns the version', async () => {
    const { client } = await startRpc({ listen: listen(), rpc: createRpcPlugin({ version: '2025.1.0-rr' }) });
    expect(await client.call('rpc.Version', true)).toBe('2025.1.0-rr');
  });
});

it('hands handlers the full method name, the codec and the body bytes', async () => {
  const { client } = await startRpc();
  expect(await client.call('echo.Method', true)).toBe('echo.Method');
});

it('serves several endpoints side by side', async () => {
  const { client } = await startRpc({ plugins: [endpointPlugin('echo'), endpointPlugin('kv')] });
  expect(await Promise.all([client.call('echo.Later'), client.call('kv.Method')])).toEqual(['later', 'kv.Method']);
});

it('rpc.Version defaults to the plugin package version', async () => {
  const { client } = await startRpc();
  expect(await client.call('rpc.Version', true)).toMatch(/^\d+\.\d+\.\d+/);
});

describe('the rpc endpoint object, without a socket', () => {
  const config: CoreConfig = { version: '3', has: () => true, section: () => undefined, raw: () => ({ b: { z: 1, a: [{ y: 1, x: 2 }] }, a: 'x' }) };
  const endpoint = createRpcRpc({ config, version: '1.2.3' });
  const call = (name: string, codec: number) => endpoint.methods[name]?.({ method: `rpc.${name}`, body: Buffer.from('true'), codec });

  it('is the rpc namespace with Config and Version', () => {
    expect(endpoint.namespace).toBe('rpc');
    expect(Object.keys(endpoint.methods)).toEqual(['Config', 'Version']);
  });

  it('Config sorts keys at every depth, as Go does', () => {
    const bytes = call('Config', CODEC_RAW) as Buffer;
    expect(bytes.toString()).toBe('{"a":"x","b":{"a":[{"x":2,"y":1}],"z":1},"version":"3"}');
    expect(Buffer.from(call('Config', CODEC_JSON) as string, 'base64').equals(bytes)).toBe(true);
  });

  it('Version answers under any codec', () => {
    expect(call('Version', CODEC_JSON)).toBe('1.2.3');
    expect(call('Version', CODEC_RAW)).toBe('1.2.3');
  });
});

it('closes connections and the listener at stop', async () => {
  const { t, address, client } = await startRpc();
  await t.stop();
  await expect(client.call('rpc.Version', true)).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_RPC_CONNECTION_CLOSED' });
  await expect(RpcClient.connect(address)).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_CONNECT_FAILED' });
});
