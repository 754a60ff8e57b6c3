import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { createLogsPlugin, logsConfigSchema } from '../src/index.js';
import { memoryStream } from './helpers.js';

async function section(yaml: string): Promise<unknown> {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: { LEVEL: 'warn', SIZE: '5' } });
  return loaded.sections.logs;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [createLogsPlugin({ streams: { stderr: memoryStream() } })], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

describe('logs config: accepted', () => {
  it.each([
    ['no keys: the defaults', 'logs: {}', { mode: 'development', line_ending: '\n', output: ['stderr'], err_output: ['stderr'], channels: {} }],
    ['mode in any case', 'logs: { mode: PRODUCTION }', { mode: 'production' }],
    ['an unknown mode (warned at init, not rejected)', 'logs: { mode: verbose }', { mode: 'verbose' }],
    ['level from ${VAR}', 'logs: { level: "${LEVEL}" }', { level: 'warn' }],
    ['zap levels beyond error', 'logs: { level: fatal }', { level: 'fatal' }],
    ['encoding', 'logs: { encoding: JSON }', { encoding: 'json' }],
    ['one output as a string', 'logs: { output: stdout }', { output: ['stdout'] }],
    ['outputs as a list', 'logs: { output: [stdout, /var/log/rr.log], err_output: stdout }', { output: ['stdout', '/var/log/rr.log'], err_output: ['stdout'] }],
    ['line_ending', 'logs: { line_ending: "\\r\\n" }', { line_ending: '\r\n' }],
    ['channels with partial configs', 'logs: { channels: { http: { level: error }, server.pool: { mode: raw } } }', { channels: { http: { level: 'error' }, 'server.pool': { mode: 'raw' } } }],
    [
      'file_logger_options defaults',
      'logs: { file_logger_options: {} }',
      { file_logger_options: { log_output: join(tmpdir(), 'rr.log'), max_size: 100, max_age: 24, max_backups: 10, compress: false } },
    ],
    [
      'file_logger_options with strings and zeros (0 means the default, as in RoadRunner)',
      'logs: { file_logger_options: { log_output: /tmp/x.log, max_size: "${SIZE}", max_age: 0, max_backups: "3", compress: "true" } }',
      { file_logger_options: { log_output: '/tmp/x.log', max_size: 5, max_age: 24, max_backups: 3, compress: true } },
    ],
  ])('%s', async (_name, yaml, expected) => {
    expect(logsConfigSchema.parse(await section(yaml))).toMatchObject(expected);
  });
});

describe('logs config: rejected', () => {
  it.each([
    ['an unknown level', 'logs: { level: verbose }', [{ path: 'logs.level', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['an unknown encoding', 'logs: { encoding: xml }', [{ path: 'logs.encoding', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['a non-string mode', 'logs: { mode: 1 }', [{ path: 'logs.mode', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an unknown key', 'logs: { colour: true }', [{ path: 'logs.colour', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['an empty output list', 'logs: { output: [] }', [{ path: 'logs.output', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['a number as output', 'logs: { err_output: 5 }', [{ path: 'logs.err_output', code: 'RR_ERR_CONFIG_INVALID_UNION' }]],
    ['a channel with an unknown key', 'logs: { channels: { http: { colour: true } } }', [{ path: 'logs.channels.http.colour', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['a channel with a bad level', 'logs: { channels: { http: { level: loud } } }', [{ path: 'logs.channels.http.level', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['channels inside a channel', 'logs: { channels: { http: { channels: {} } } }', [{ path: 'logs.channels.http.channels', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['a bad channel name', 'logs: { channels: { "a b": {} } }', [{ path: 'logs.channels.a b', code: 'RR_ERR_CONFIG_INVALID_KEY' }]],
    ['a negative max_size', 'logs: { file_logger_options: { max_size: -1 } }', [{ path: 'logs.file_logger_options.max_size', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['an unknown rotation key', 'logs: { file_logger_options: { localtime: true } }', [{ path: 'logs.file_logger_options.localtime', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    [
      'several problems at once',
      'logs: { level: x, encoding: y }',
      [
        { path: 'logs.level', code: 'RR_ERR_CONFIG_INVALID_VALUE' },
        { path: 'logs.encoding', code: 'RR_ERR_CONFIG_INVALID_VALUE' },
      ],
    ],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
