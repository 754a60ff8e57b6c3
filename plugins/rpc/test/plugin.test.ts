import { createServer, type Server } from 'node:net';
import { RpcClient } from '@rr/goridge';
import { createKernel, definePlugin, isRrError, type RrError } from '@rr/kernel';
import { fakeLogsPlugin, recordingLogger, startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import rpcDefault, { rpcPlugin } from '../src/index.js';
import { endpointPlugin, startRpc } from './helpers.js';

describe('rpc plugin', () => {
  it('is the default and the named export, with id rpc', () => {
    expect(rpcDefault).toBe(rpcPlugin);
    expect(rpcPlugin.id).toBe('rpc');
  });

  it("is disabled without an 'rpc' section, as in RoadRunner", async () => {
    const t = await startTestKernel({ plugins: [rpcPlugin, endpointPlugin()] });
    expect(t.kernel.report().find((p) => p.id === 'rpc')).toMatchObject({ state: 'disabled', reason: "no 'rpc' section" });
    await t.stop();
  });

  it('rejects an invalid section with the kernel code and path', async () => {
    const err = (await startTestKernel({ plugins: [rpcPlugin], config: { rpc: { listen: 'udp://x:1' } } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details.issues).toEqual([expect.objectContaining({ path: 'rpc.listen', code: 'RR_ERR_CONFIG_INVALID_FORMAT' })]);
  });

  it('serves on port 0 and logs the bound address with every namespace', async () => {
    const { t, address } = await startRpc();
    expect(address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(address).not.toBe('tcp://127.0.0.1:0');
    expect(t.logger.find('rpc listening')).toEqual([{ level: 'info', channel: 'rpc', message: 'rpc listening', fields: { address, services: ['rpc', 'echo'] } }]);
    expect(t.logger.find('non-loopback')).toEqual([]);
  });

  it('binds every interface for an empty host, as RoadRunner does, and warns', async () => {
    const { t, address, client } = await startRpc({ listen: 'tcp://:0' });
    const port = address.split(':').pop() as string;
    expect(t.logger.find('non-loopback', 'warn')[0]?.fields).toMatchObject({ code: 'RR_WARN_RPC_NOT_LOOPBACK', listen: 'tcp://:0' });
    expect(await client.call('rpc.Version', true)).toEqual(expect.any(String));
    const viaLoopback = await RpcClient.connect(`tcp://127.0.0.1:${port}`);
    expect(await viaLoopback.call('echo.Later')).toBe('later');
    await viaLoopback.close();
  });

  it('refuses two endpoints with one namespace at init', async () => {
    const err = (await startTestKernel({ plugins: [rpcPlugin, endpointPlugin('one', 'same'), endpointPlugin('two', 'same')], config: { rpc: { listen: 'tcp://127.0.0.1:0' } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code: 'RR_ERR_RPC_DUPLICATE_NAMESPACE', message: expect.stringContaining('"same"') });
  });

  it("refuses an endpoint that claims the rpc plugin's own namespace", async () => {
    const err = (await startTestKernel({ plugins: [rpcPlugin, endpointPlugin('impostor', 'rpc')], config: { rpc: { listen: 'tcp://127.0.0.1:0' } } }).catch((e: unknown) => e)) as RrError;
    expect(err.cause).toMatchObject({ code: 'RR_ERR_RPC_DUPLICATE_NAMESPACE' });
  });

  it('fails to start when the address is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = (await startTestKernel({ plugins: [rpcPlugin], config: { rpc: { listen: `tcp://127.0.0.1:${port}` } } }).catch((e: unknown) => e)) as RrError;
      expect(isRrError(err, 'RR_ERR_KERNEL_SERVE_FAILED')).toBe(true);
      expect(err.cause).toMatchObject({ code: 'RR_ERR_RPC_LISTEN_FAILED', message: expect.stringContaining('EADDRINUSE'), cause: { code: 'RR_ERR_GORIDGE_LISTEN_FAILED' } });
    } finally {
      blocker.close();
    }
  });

  it('stops cleanly when serve never ran', async () => {
    const late = definePlugin({
      id: 'late',
      kernel: '^1.0.0',
      init: () => {
        throw new Error('init failed after rpc');
      },
    });
    // late has no edge to rpc; registration order puts it after rpc, so rpc inits first and is then stopped.
    const kernel = createKernel({
      plugins: [fakeLogsPlugin(recordingLogger()), rpcPlugin, late],
      config: { version: '3', sections: { rpc: { listen: 'tcp://127.0.0.1:0' } } },
    });
    const err = (await kernel.start().catch((e: unknown) => e)) as RrError;
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', plugin: 'late' });
    expect(kernel.report().find((p) => p.id === 'rpc')?.state).toBe('stopped');
  });

  it('logs and survives a connection that sends garbage', async () => {
    const { t, address, client } = await startRpc();
    const { connect } = await import('node:net');
    const port = Number(address.split(':').pop());
    await new Promise<void>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => s.write(Buffer.alloc(12, 0xff)));
      s.on('close', () => resolve());
      s.on('error', () => undefined);
    });
    expect(t.logger.find('rpc connection closed on error', 'warn')).toHaveLength(1);
    expect(await client.call('echo.Later')).toBe('later');
  });
});
