import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { redisConfigSchema, redisPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: { REDIS_ADDRS: '10.0.0.1:7000, 10.0.0.2:7000' } })).sections.redis;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [redisPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

const defaults = {
  addrs: ['127.0.0.1:6379'],
  master_name: '',
  username: '',
  password: '',
  db: 0,
  sentinel_password: '',
  route_by_latency: false,
  route_randomly: false,
  read_only: false,
  max_retries: 3,
  dial_timeout: 5000,
  min_retry_backoff: 8,
  max_retry_backoff: 512,
  read_timeout: 3000,
  write_timeout: 0,
  pool_size: 0,
  min_idle_conns: 0,
  max_conn_age: 0,
  pool_timeout: 0,
  idle_timeout: 0,
  idle_check_freq: 0,
  prefix: '',
};

// Every key of RoadRunner's redis section, as its docs write them: it must load unchanged.
const roadrunnerSection = `
redis:
  addrs: ["127.0.0.1:6379"]
  master_name: ""
  username: ""
  password: ""
  db: 0
  sentinel_password: ""
  route_by_latency: false
  route_randomly: false
  dial_timeout: 0
  max_retries: 1
  min_retry_backoff: 0
  max_retry_backoff: 0
  pool_size: 0
  min_idle_conns: 0
  max_conn_age: 0
  read_timeout: 0
  write_timeout: 0
  pool_timeout: 0
  idle_timeout: 0
  idle_check_freq: 0
  read_only: false
  tls:
    root_ca: /ssl/ca.pem
    cert: /ssl/client.pem
    key: /ssl/client.key
    client_auth_type: require_and_verify_client_cert
`;

describe('redis config: accepted', () => {
  it.each([
    ['no keys: RoadRunner’s defaults', 'redis: {}', defaults],
    ['an empty section', 'redis:', defaults],
    ['every RoadRunner key, pool keys included (ignored)', roadrunnerSection, { ...defaults, max_retries: 1, tls: { root_ca: '/ssl/ca.pem', cert: '/ssl/client.pem', key: '/ssl/client.key' } }],
    ['Go durations', 'redis: { dial_timeout: 1m30s, read_timeout: 250ms, write_timeout: 5s, min_retry_backoff: 10ms, max_retry_backoff: 2s, idle_timeout: 5m }', { dial_timeout: 90_000, read_timeout: 250, write_timeout: 5000, min_retry_backoff: 10, max_retry_backoff: 2000, idle_timeout: 300_000 }],
    ['a bare duration is nanoseconds, as in Go', 'redis: { read_timeout: 2000000000 }', { read_timeout: 2000 }],
    ['several addrs (a cluster)', 'redis: { addrs: ["10.0.0.1:7000", "10.0.0.2:7000", "[::1]:7000"] }', { addrs: ['10.0.0.1:7000', '10.0.0.2:7000', '[::1]:7000'] }],
    ['addrs from one ${VAR}, comma-separated', 'redis: { addrs: "${REDIS_ADDRS}" }', { addrs: ['10.0.0.1:7000', '10.0.0.2:7000'] }],
    ['an empty addrs list means the default, as go-redis does', 'redis: { addrs: [] }', { addrs: ['127.0.0.1:6379'] }],
    ['sentinel', 'redis: { addrs: ["10.0.0.1:26379"], master_name: mymaster, sentinel_password: s3cret }', { master_name: 'mymaster', sentinel_password: 's3cret' }],
    ['max_retries -1 disables retries', 'redis: { max_retries: -1 }', { max_retries: 0 }],
    ['numbers and booleans from ${VAR} strings', 'redis: { db: "2", read_only: "true" }', { db: 2, read_only: true }],
    ['the prefix extension', 'redis: { prefix: "app1:" }', { prefix: 'app1:' }],
  ])('%s', async (_name, yaml, expected) => {
    expect(redisConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });
});

describe('redis config: rejected', () => {
  it.each([
    ['an unknown key', 'redis: { addr: "127.0.0.1:6379" }', [{ path: 'redis.addr', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['an address without port', 'redis: { addrs: ["127.0.0.1"] }', [{ path: 'redis.addrs.0', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a comma-separated address without port', 'redis: { addrs: "10.0.0.1:7000,10.0.0.2" }', [{ path: 'redis.addrs.1', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a negative db', 'redis: { db: -1 }', [{ path: 'redis.db', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['a malformed duration', 'redis: { read_timeout: 3 seconds }', [{ path: 'redis.read_timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a client cert without its key', 'redis: { tls: { cert: /ssl/client.pem } }', [{ path: 'redis.tls.key', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['an unknown tls key', 'redis: { tls: { ca_file: /ssl/ca.pem } }', [{ path: 'redis.tls.ca_file', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
