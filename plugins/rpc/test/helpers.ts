import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpcEndpointsRef } from '@rr/contracts';
import { CODEC_JSON, RpcClient } from '@rr/goridge';
import { definePlugin, RrError, type Plugin } from '@rr/kernel';
import { startTestKernel, type TestKernel } from '@rr/testkit';
import { afterEach } from 'vitest';
import { rpcPlugin } from '../src/index.js';

/** A plugin with an RPC endpoint, as kv or informer would provide. */
export function endpointPlugin(id = 'echo', namespace = id): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    provides: { rpc: rpcEndpointsRef },
    init: () => ({
      provides: {
        rpc: {
          namespace,
          methods: {
            Echo: ({ body, codec }) => (codec === CODEC_JSON ? (JSON.parse(body.toString('utf8')) as unknown) : body),
            Method: ({ method }) => method,
            Fail: () => {
              throw new RrError('RR_ERR_ECHO_NO_STORAGE', 'no such storage: users');
            },
            Crash: () => {
              throw new Error('kaboom');
            },
            Later: async () => {
              await new Promise((r) => setTimeout(r, 5));
              return 'later';
            },
          },
        },
      },
    }),
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Starts rpc (+ extra plugins) and returns the kernel, the bound address and a connected client. */
export async function startRpc(options: { listen?: string; plugins?: Plugin[]; config?: Record<string, unknown>; rpc?: Plugin } = {}) {
  const t: TestKernel = await startTestKernel({
    plugins: [options.rpc ?? rpcPlugin, ...(options.plugins ?? [endpointPlugin()])],
    config: { rpc: { listen: options.listen ?? 'tcp://127.0.0.1:0' }, ...options.config },
  });
  cleanups.push(() => t.stop());
  const address = t.logger.find('rpc listening')[0]?.fields.address as string;
  const client = await RpcClient.connect(address);
  cleanups.push(() => client.close());
  return { t, address, client };
}

/** A temp dir removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-rpc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
