import { CODEC_JSON, CODEC_PROTO, CODEC_RAW, RpcClient, RpcServer } from '@rr/goridge';
import type { RrError } from '@rr/kernel';
import { afterEach, describe, expect, it } from 'vitest';
import { createStatusRpc, decodeResponse, encodeRequest, StatusChecker } from '../src/index.js';
import { flipSource, startStatus } from './helpers.js';

function endpoint() {
  const http = flipSource('http');
  http.readyNow = { code: 503, message: 'the http pool cannot take a request now' };
  const rpc = createStatusRpc(new StatusChecker([http]));
  const call = (method: string, body: Buffer, codec = CODEC_PROTO) =>
    Promise.resolve().then(() => rpc.methods[method]?.({ method: `status.${method}`, body, codec }));
  return { rpc, http, call };
}

describe('status endpoint (no socket)', () => {
  it('is the status namespace with Status and Ready', () => {
    const { rpc } = endpoint();
    expect(rpc.namespace).toBe('status');
    expect(Object.keys(rpc.methods).sort()).toEqual(['Ready', 'Status']);
  });

  it('Status answers the health report, Ready the readiness report, as status.v1.Response', async () => {
    const { call } = endpoint();
    expect(decodeResponse((await call('Status', encodeRequest('http'))) as Buffer)).toEqual({ code: 200, message: '' });
    expect(decodeResponse((await call('Ready', encodeRequest('http'))) as Buffer)).toEqual({ code: 503, message: 'the http pool cannot take a request now' });
  });

  it('encodes the response bytes as protoc does', async () => {
    const { call } = endpoint();
    // code=503 (field 1 varint), message "x…" (field 2).
    expect(Buffer.from((await call('Ready', Buffer.from([0x0a, 4, ...Buffer.from('http')]))) as Buffer).subarray(0, 5)).toEqual(Buffer.from([0x08, 0xf7, 0x03, 0x12, 39]));
  });

  it.each(['Status', 'Ready'])('%s refuses an unknown plugin in RoadRunner words', async (method) => {
    const { call } = endpoint();
    await expect(call(method, encodeRequest('grpc'))).rejects.toMatchObject({ code: 'RR_ERR_STATUS_NO_SUCH_PLUGIN', message: 'no such plugin: grpc' });
    await expect(call(method, Buffer.alloc(0))).rejects.toMatchObject({ code: 'RR_ERR_STATUS_NO_SUCH_PLUGIN', message: 'no such plugin: ' });
  });

  it.each([
    ['a truncated string', Buffer.from([0x0a, 9, 0x68])],
    ['a truncated varint', Buffer.from([0x08, 0xff])],
    ['field 1 as a varint', Buffer.from([0x08, 0x01])],
    ['wire type 3', Buffer.from([0x0b])],
  ])('refuses %s with a coded error', async (_name, body) => {
    const { call } = endpoint();
    await expect(call('Status', body)).rejects.toMatchObject({ code: 'RR_ERR_STATUS_BAD_ARGUMENT' });
  });

  it('skips unknown fields', async () => {
    const { call } = endpoint();
    const body = Buffer.concat([Buffer.from([0x10, 0x05, 0x1d, 1, 2, 3, 4]), encodeRequest('http')]);
    expect(decodeResponse((await call('Status', body)) as Buffer).code).toBe(200);
  });

  it.each([
    [CODEC_JSON, 'json'],
    [CODEC_RAW, 'raw'],
  ])('refuses codec %i', async (codec, name) => {
    const { call } = endpoint();
    await expect(call('Status', Buffer.from('"http"'), codec)).rejects.toMatchObject({ code: 'RR_ERR_STATUS_UNSUPPORTED_CODEC', message: `status.Status takes the protobuf codec, got ${name}` });
  });

  it('passes a timeout through as a coded error', async () => {
    const http = flipSource('http');
    http.healthy = () => new Promise(() => undefined);
    const rpc = createStatusRpc(new StatusChecker([http], { checkTimeoutMs: 20 }));
    await expect(Promise.resolve(rpc.methods.Status?.({ method: 'status.Status', body: encodeRequest('http'), codec: CODEC_PROTO }))).rejects.toMatchObject({ code: 'RR_ERR_STATUS_CHECK_TIMEOUT' });
  });

  it('is provided by the plugin', async () => {
    const { t, endpoint: ep } = await startStatus([flipSource('http')]);
    const res = await ep()?.methods.Status?.({ method: 'status.Status', body: encodeRequest('http'), codec: CODEC_PROTO });
    expect(decodeResponse(res as Buffer)).toEqual({ code: 200, message: '' });
    await t.stop();
  });
});

describe('status over goridge RPC', () => {
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  afterEach(async () => {
    await client?.close();
    await server?.close();
  });

  it('answers PROTO and sends errors as "<code>: <message>"', async () => {
    server = new RpcServer().register(endpoint().rpc);
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
    const reply = await client.call('status.Ready', encodeRequest('http'), CODEC_PROTO);
    expect(decodeResponse(Buffer.from(reply as Uint8Array))).toEqual({ code: 503, message: 'the http pool cannot take a request now' });
    const err = (await client.call('status.Status', encodeRequest('nope'), CODEC_PROTO).catch((e: unknown) => e)) as RrError;
    expect(err.details.text).toBe('RR_ERR_STATUS_NO_SUCH_PLUGIN: no such plugin: nope');
  });
});
