import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { rpcConfigSchema, rpcPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: { RPC_PORT: '7001' } })).sections.rpc;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [rpcPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

describe('rpc config: accepted', () => {
  it.each([
    ['no keys: RoadRunner’s default address', 'rpc: {}', { listen: { scheme: 'tcp', host: '127.0.0.1', port: 6001, raw: 'tcp://127.0.0.1:6001' } }],
    ['an empty section', 'rpc:', { listen: { scheme: 'tcp', host: '127.0.0.1', port: 6001 } }],
    ['a tcp address from ${VAR}', 'rpc: { listen: "tcp://127.0.0.1:${RPC_PORT}" }', { listen: { scheme: 'tcp', host: '127.0.0.1', port: 7001 } }],
    ['an empty host (every interface)', 'rpc: { listen: "tcp://:6001" }', { listen: { scheme: 'tcp', host: '', port: 6001 } }],
    ['IPv6 loopback', 'rpc: { listen: "tcp://[::1]:6001" }', { listen: { scheme: 'tcp', host: '::1', port: 6001 } }],
    ['a unix socket', 'rpc: { listen: "unix:///run/rr.sock" }', { listen: { scheme: 'unix', path: '/run/rr.sock' } }],
  ])('%s', async (_name, yaml, expected) => {
    expect(rpcConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });
});

describe('rpc config: rejected', () => {
  it.each([
    ['another scheme', 'rpc: { listen: "http://127.0.0.1:6001" }', [{ path: 'rpc.listen', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['pipes', 'rpc: { listen: pipes }', [{ path: 'rpc.listen', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['no port', 'rpc: { listen: "tcp://127.0.0.1" }', [{ path: 'rpc.listen', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a number', 'rpc: { listen: 6001 }', [{ path: 'rpc.listen', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an unknown key', 'rpc: { address: "tcp://127.0.0.1:6001" }', [{ path: 'rpc.address', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
