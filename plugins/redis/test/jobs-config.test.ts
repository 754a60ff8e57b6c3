import { describe, expect, it } from 'vitest';
import { delayedKeyOf, redisJobsConfigSchema } from '../src/index.js';

const defaults = { stream: '', group: 'rr', consumer: '', visibility_timeout: 60_000, block_timeout: 1000, delete_stream_on_stop: false };

describe('redis jobs pipeline options: accepted', () => {
  it.each([
    ['no keys: the defaults, and the root redis section for the connection', {}, defaults],
    ['every key', { stream: 'app:emails', group: 'workers', consumer: 'web-1', visibility_timeout: '5m', block_timeout: '250ms', delete_stream_on_stop: true }, {
      stream: 'app:emails', group: 'workers', consumer: 'web-1', visibility_timeout: 300_000, block_timeout: 250, delete_stream_on_stop: true,
    }],
    ['strings from jobs.Declare; a bare number is seconds', { visibility_timeout: '30', block_timeout: '2', delete_stream_on_stop: 'true' }, { visibility_timeout: 30_000, block_timeout: 2000, delete_stream_on_stop: true }],
    ['0 means the default', { visibility_timeout: 0, block_timeout: '0' }, { visibility_timeout: 60_000, block_timeout: 1000 }],
    ['a connection of its own', { redis: { addrs: ['10.0.0.1:6379'], db: 2 } }, { redis: expect.objectContaining({ addrs: ['10.0.0.1:6379'], db: 2, read_timeout: 3000 }) }],
    ['a connection of its own as JSON text (jobs.Declare)', { redis: '{"addrs":"10.0.0.1:7000,10.0.0.2:7000","read_timeout":"1s"}' }, {
      redis: expect.objectContaining({ addrs: ['10.0.0.1:7000', '10.0.0.2:7000'], read_timeout: 1000 }),
    }],
  ])('%s', (_name, input, expected) => {
    const parsed = redisJobsConfigSchema.parse(input);
    expect(parsed).toMatchObject(expected);
    if (!('redis' in input)) expect(parsed.redis).toBeUndefined();
  });
});

describe('redis jobs pipeline options: rejected', () => {
  it.each([
    ['an unknown key', { queue: 'emails' }, [{ path: '', code: 'unrecognized_keys' }]],
    ['a visibility_timeout below 100ms', { visibility_timeout: '50ms' }, [{ path: 'visibility_timeout', code: 'too_small' }]],
    ['a malformed duration', { block_timeout: 'soon' }, [{ path: 'block_timeout', code: 'invalid_format' }]],
    ['an empty group', { group: '' }, [{ path: 'group', code: 'too_small' }]],
    ['a bad address in its own connection', { redis: { addrs: ['no-port'] } }, [{ path: 'redis.addrs.0', code: 'invalid_format' }]],
    ['an unknown key in its own connection', { redis: '{"addr":"127.0.0.1:6379"}' }, [{ path: 'redis', code: 'unrecognized_keys' }]],
  ])('%s', (_name, input, expected) => {
    const result = redisJobsConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => ({ path: i.path.join('.'), code: i.code }))).toEqual(expected);
  });
});

describe('the delayed set of a stream', () => {
  it.each([
    ['rr:jobs:emails', '{rr:jobs:emails}:delayed'],
    ['{tenant-1}:jobs', '{tenant-1}:jobs:delayed'],
    ['jobs:{tenant-1}', 'jobs:{tenant-1}:delayed'],
  ])('%s → %s (same hash slot as the stream)', (stream, delayed) => {
    expect(delayedKeyOf(stream)).toBe(delayed);
  });
});
