import type { RpcEndpoint } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/kernel';
import { endpointsProbe, startTestKernel, type TestKernel } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { __CAMEL__Plugin } from '../src/index.js';

const CODEC_JSON = 0x08;
let running: TestKernel | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Boots the real kernel with this plugin and a probe that collects RPC endpoints, as the rpc plugin does. */
async function start(section: unknown): Promise<RpcEndpoint> {
  const probe = endpointsProbe();
  running = await startTestKernel({ plugins: [__CAMEL__Plugin, probe.plugin], config: { __PLUGIN_ID__: section } });
  const endpoint = probe.endpoints().find((e) => e.namespace === '__PLUGIN_ID__');
  if (endpoint === undefined) throw new Error('no __PLUGIN_ID__ endpoint');
  return endpoint;
}

const call = (endpoint: RpcEndpoint, arg: unknown) =>
  Promise.resolve().then(() => endpoint.methods.Echo?.({ method: '__PLUGIN_ID__.Echo', body: Buffer.from(JSON.stringify(arg)), codec: CODEC_JSON }));

describe('__PLUGIN_ID__ plugin', () => {
  it("is disabled without a '__PLUGIN_ID__' section", async () => {
    running = await startTestKernel({ plugins: [__CAMEL__Plugin] });
    expect(running.kernel.report().find((p) => p.id === '__PLUGIN_ID__')).toMatchObject({ state: 'disabled' });
  });

  it('rejects an invalid section with dotted paths', async () => {
    const err = (await startTestKernel({ plugins: [__CAMEL__Plugin], config: { __PLUGIN_ID__: { max_length: 0, nope: 1 } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    expect((err.details.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(['__PLUGIN_ID__.max_length', '__PLUGIN_ID__.nope']);
  });

  it('answers __PLUGIN_ID__.Echo with the prefix', async () => {
    const endpoint = await start({ prefix: '> ' });
    expect(await call(endpoint, { message: 'hello' })).toEqual({ message: '> hello' });
  });

  it('refuses a bad argument and a message over max_length with coded errors', async () => {
    const endpoint = await start({ max_length: 3 });
    await expect(call(endpoint, { message: 42 })).rejects.toMatchObject({ code: 'RR_ERR___UPPER___BAD_ARGUMENT' });
    await expect(call(endpoint, { message: 'hello' })).rejects.toMatchObject({ code: 'RR_ERR___UPPER___TOO_LONG' });
  });
});
