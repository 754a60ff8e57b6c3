import { CODEC_RAW } from '@rr/goridge';
import { recordingTracer, testTracerPlugin } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { endpointPlugin, startRpc } from './helpers.js';

const HEX32 = /^[0-9a-f]{32}$/;

describe('rpc tracing', () => {
  it('a SERVER span per call, named as the wire method, each a new trace', async () => {
    const tracer = recordingTracer();
    const { client } = await startRpc({ plugins: [endpointPlugin(), testTracerPlugin(tracer)] });
    expect(await client.call('echo.Echo', { a: 1 })).toEqual({ a: 1 });
    const [span] = await tracer.waitForEnded(1, (s) => s.name === 'echo.Echo');
    expect(span).toMatchObject({ kind: 'server', parentSpanId: undefined, remoteParent: false, status: 'unset', ended: true });
    expect(span?.traceId).toMatch(HEX32);
    expect(span?.attributes).toEqual({ 'rr.plugin': 'rpc', 'rpc.system': 'goridge', 'rpc.service': 'echo', 'rpc.method': 'Echo', 'process.pid': process.pid });

    // The built-in service too, and concurrent calls: one span each.
    await Promise.all([client.call('rpc.Version', true), client.call('echo.Echo', Buffer.from('x'), CODEC_RAW)]);
    const spans = await tracer.waitForEnded(3);
    expect(spans.map((s) => s.name).sort()).toEqual(['echo.Echo', 'echo.Echo', 'rpc.Version']);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(3);
  });

  it('ends the span of an asynchronous handler when its promise settles', async () => {
    const tracer = recordingTracer();
    const { client } = await startRpc({ plugins: [endpointPlugin(), testTracerPlugin(tracer)] });
    expect(await client.call('echo.Later', true)).toBe('later');
    const [span] = await tracer.waitForEnded(1, (s) => s.name === 'echo.Later');
    // The handler waits 5 ms before answering.
    expect((span?.endTime ?? 0) - (span?.startTime ?? 0)).toBeGreaterThanOrEqual(4);
  });

  it('fails the span with the wire error when the handler throws', async () => {
    const tracer = recordingTracer();
    const { client } = await startRpc({ plugins: [endpointPlugin(), testTracerPlugin(tracer)] });
    await expect(client.call('echo.Fail', true)).rejects.toMatchObject({ details: { remoteCode: 'RR_ERR_ECHO_NO_STORAGE' } });
    await expect(client.call('echo.Crash', true)).rejects.toMatchObject({ details: { remoteCode: 'RR_ERR_INTERNAL' } });
    const [fail] = await tracer.waitForEnded(1, (s) => s.name === 'echo.Fail');
    const [crash] = await tracer.waitForEnded(1, (s) => s.name === 'echo.Crash');
    expect(fail).toMatchObject({ status: 'error', statusMessage: 'RR_ERR_ECHO_NO_STORAGE: no such storage: users', attributes: { 'error.type': 'RR_ERR_ECHO_NO_STORAGE' } });
    expect(fail?.exceptions).toHaveLength(1);
    expect(crash).toMatchObject({ status: 'error', statusMessage: 'kaboom', attributes: { 'error.type': 'Error' } });
  });

  it('makes no span for a method that does not exist', async () => {
    const tracer = recordingTracer();
    const { client } = await startRpc({ plugins: [endpointPlugin(), testTracerPlugin(tracer)] });
    await expect(client.call('echo.Nope', true)).rejects.toMatchObject({ code: 'RR_ERR_GORIDGE_RPC_REMOTE' });
    await client.call('echo.Method', true);
    await tracer.waitForEnded(1);
    expect(tracer.spans.map((s) => s.name)).toEqual(['echo.Method']);
  });

  it('serves the same answers without a tracer', async () => {
    const { client } = await startRpc();
    expect(await client.call('echo.Method', true)).toBe('echo.Method');
    await expect(client.call('echo.Fail', true)).rejects.toMatchObject({ details: { remoteCode: 'RR_ERR_ECHO_NO_STORAGE' } });
  });
});
