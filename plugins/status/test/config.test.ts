import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { statusConfigSchema, statusPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: { STATUS_PORT: '2115', CODE: '599' } })).sections.status;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [statusPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

describe('status config: accepted', () => {
  it.each([
    ['only an address: RoadRunner’s defaults', 'status: { address: "127.0.0.1:2114" }', { address: '127.0.0.1:2114', unavailable_status_code: 503, check_timeout: 60_000 }],
    ['every interface', 'status: { address: ":2114" }', { address: ':2114' }],
    ['IPv6', 'status: { address: "[::1]:2114" }', { address: '[::1]:2114' }],
    ['${VAR} everywhere', 'status: { address: "127.0.0.1:${STATUS_PORT}", unavailable_status_code: "${CODE}" }', { address: '127.0.0.1:2115', unavailable_status_code: 599 }],
    ['a bare check_timeout is seconds', 'status: { address: ":2114", check_timeout: 5 }', { check_timeout: 5_000 }],
    ['a Go duration', 'status: { address: ":2114", check_timeout: 1m30s }', { check_timeout: 90_000 }],
    ['check_timeout 0 means 60s', 'status: { address: ":2114", check_timeout: 0 }', { check_timeout: 60_000 }],
  ])('%s', async (_name, yaml, expected) => {
    expect(statusConfigSchema.parse(await section(yaml))).toMatchObject(expected);
  });
});

describe('status config: rejected', () => {
  it.each([
    ['an empty section (address is required)', 'status: {}', [{ path: 'status.address', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a section with nothing under it', 'status:', [{ path: 'status.address', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['no port', 'status: { address: "127.0.0.1" }', [{ path: 'status.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['a bad port', 'status: { address: "127.0.0.1:99999" }', [{ path: 'status.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['a URL', 'status: { address: "http://127.0.0.1:2114" }', [{ path: 'status.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['a status code out of range', 'status: { address: ":1", unavailable_status_code: 99 }', [{ path: 'status.unavailable_status_code', code: expect.stringMatching(/^RR_ERR_CONFIG_/) }]],
    ['a bad duration', 'status: { address: ":1", check_timeout: soon }', [{ path: 'status.check_timeout', code: expect.stringMatching(/^RR_ERR_CONFIG_/) }]],
    ['an unknown key', 'status: { address: ":1", listen: ":2" }', [{ path: 'status.listen', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
