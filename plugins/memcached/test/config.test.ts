import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { memcachedConfigSchema, memcachedPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: {} })).sections.memcached;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [memcachedPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

describe('memcached config: accepted', () => {
  it.each([
    ['no keys: RoadRunner’s default server', 'memcached: {}', { addr: ['127.0.0.1:11211'], timeout: 500 }],
    ['an empty section', 'memcached:', { addr: ['127.0.0.1:11211'], timeout: 500 }],
    ['an empty list falls back to the default, as in RoadRunner', 'memcached: { addr: [] }', { addr: ['127.0.0.1:11211'] }],
    ['one address as a string', 'memcached: { addr: "10.0.0.1:11211" }', { addr: ['10.0.0.1:11211'] }],
    ['a comma-separated string', 'memcached: { addr: "a:11211, b:11212" }', { addr: ['a:11211', 'b:11212'] }],
    ['a list', 'memcached: { addr: ["cache-1:11211", "cache-2:11211"] }', { addr: ['cache-1:11211', 'cache-2:11211'] }],
    ['IPv6', 'memcached: { addr: "[::1]:11211" }', { addr: ['[::1]:11211'] }],
    ['a unix socket', 'memcached: { addr: /var/run/memcached.sock }', { addr: ['/var/run/memcached.sock'] }],
    ['a Go duration timeout', 'memcached: { timeout: 2s }', { timeout: 2000 }],
  ])('%s', async (_name, yaml, expected) => {
    expect(memcachedConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });
});

describe('memcached config: rejected', () => {
  it.each([
    ['an address without port', 'memcached: { addr: "127.0.0.1" }', [{ path: 'memcached.addr.0', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['an address that is not a string', 'memcached: { addr: [11211] }', [{ path: 'memcached.addr.0', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a malformed timeout', 'memcached: { timeout: soon }', [{ path: 'memcached.timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a zero timeout', 'memcached: { timeout: 0 }', [{ path: 'memcached.timeout', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['an unknown key', 'memcached: { addrs: ["127.0.0.1:11211"] }', [{ path: 'memcached.addrs', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
