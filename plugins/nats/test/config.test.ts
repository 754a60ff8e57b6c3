import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { natsConfigSchema, natsJobsConfigSchema, natsPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: {} })).sections.nats;
}

async function rootIssues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [natsPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

const pipelineDefaults = {
  subject: 'default',
  stream: 'default-stream',
  rate_limit: 1000,
  deliver_new: false,
  delete_after_ack: false,
  delete_stream_on_stop: false,
  ack_wait: 30_000,
};

describe('nats root section', () => {
  it.each([
    ['no keys: RoadRunner’s default address', 'nats: {}', { addr: 'nats://127.0.0.1:4222', timeout: 10_000 }],
    ['an empty section', 'nats:', { addr: 'nats://127.0.0.1:4222', timeout: 10_000 }],
    ['an empty addr means the default, as in RoadRunner', 'nats: { addr: "" }', { addr: 'nats://127.0.0.1:4222' }],
    ['several servers', 'nats: { addr: "nats://a:4222,nats://b:4222" }', { addr: 'nats://a:4222,nats://b:4222' }],
    ['the rr timeout, 0 meaning the default', 'nats: { timeout: 0 }', { timeout: 10_000 }],
    ['the rr timeout', 'nats: { timeout: 2s }', { timeout: 2000 }],
  ])('%s', async (_name, yaml, expected) => {
    expect(natsConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });

  it.each([
    ['an unknown key', 'nats: { url: "nats://x:4222" }', [{ path: 'nats.url', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['a malformed timeout', 'nats: { timeout: soon }', [{ path: 'nats.timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
  ])('rejects %s with the kernel code and path', async (_name, yaml, expected) => {
    expect(await rootIssues(yaml)).toEqual(expected);
  });
});

describe('nats pipeline options', () => {
  it.each([
    ['none: RoadRunner’s defaults', {}, pipelineDefaults],
    [
      'YAML values',
      { subject: 'jobs.mail', stream: 'mail', deliver_new: true, delete_after_ack: true, delete_stream_on_stop: true, ack_wait: '1m', rate_limit: 10 },
      { subject: 'jobs.mail', stream: 'mail', deliver_new: true, delete_after_ack: true, delete_stream_on_stop: true, ack_wait: 60_000, rate_limit: 10 },
    ],
    [
      'strings, as jobs.Declare sends them (a bare ack_wait is seconds)',
      { subject: 'mail', deliver_new: 'true', delete_after_ack: '1', delete_stream_on_stop: 'false', ack_wait: '45', rate_limit: '500' },
      { subject: 'mail', deliver_new: true, delete_after_ack: true, delete_stream_on_stop: false, ack_wait: 45_000, rate_limit: 500 },
    ],
    ['empty strings and a zero ack_wait mean the defaults', { subject: '', stream: ' ', ack_wait: 0 }, pipelineDefaults],
  ])('accepts %s', (_name, input, expected) => {
    expect(natsJobsConfigSchema.parse(input)).toEqual({ ...pipelineDefaults, ...expected });
  });

  it.each([
    ['a wildcard subject', { subject: 'jobs.*' }, 'subject'],
    ['a subject with an empty token', { subject: 'jobs..mail' }, 'subject'],
    ['a stream name with a dot', { stream: 'a.b' }, 'stream'],
    ['a boolean that is not one', { deliver_new: 'yes' }, 'deliver_new'],
    ['a negative ack_wait', { ack_wait: '-1s' }, 'ack_wait'],
    ['an unknown key', { queue: 'x' }, ''],
    ['the core key priority (the jobs plugin removes it first)', { priority: 1 }, ''],
  ])('rejects %s', (_name, input, path) => {
    const result = natsJobsConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
