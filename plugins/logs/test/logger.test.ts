import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RrError, isRrError } from '@rr/kernel';
import { describe, expect, it } from 'vitest';
import { createLogger, type CreateLoggerOptions } from '../src/index.js';
import { iso8601 } from '../src/format.js';
import { memoryStream, NOW, now, tempDir } from './helpers.js';

const T = iso8601(NOW);

function setup(config: Record<string, unknown>, options: CreateLoggerOptions & { tty?: boolean } = {}) {
  const stderr = memoryStream(options.tty ?? false);
  const stdout = memoryStream(options.tty ?? false);
  const logger = createLogger(config, { now, env: {}, ...options, streams: { stderr, stdout } });
  return { logger, stderr, stdout };
}

describe('development mode', () => {
  it('writes zap console lines: time, level, padded channel, message, fields as JSON', () => {
    const { logger, stderr } = setup({});
    logger.named('http').info('http server was started', { address: '127.0.0.1:8080', workers: 4 });
    logger.named('server').debug('worker exited');
    expect(stderr.chunks).toEqual([
      `${T}\tINFO\thttp        \thttp server was started\t{"address":"127.0.0.1:8080","workers":4}\n`,
      `${T}\tDEBUG\tserver      \tworker exited\n`,
    ]);
  });

  it('does not pad channel names of 12 characters or more', () => {
    const { logger, stderr } = setup({});
    logger.named('a_long_channel').warn('x');
    expect(stderr.text()).toBe(`${T}\tWARN\ta_long_channel\tx\n`);
  });

  it('colours level and channel only on a TTY, as RoadRunner does', () => {
    const { logger, stderr } = setup({}, { tty: true });
    logger.named('http').error('boom');
    logger.named('http').debug('d');
    expect(stderr.chunks).toEqual([
      `${T}\t\x1b[91mERROR\x1b[0m\t\x1b[92mhttp        \x1b[0m\tboom\n`,
      `${T}\t\x1b[97mDEBUG\x1b[0m\t\x1b[92mhttp        \x1b[0m\td\n`,
    ]);
  });

  it('uses cyan for info and yellow for warn', () => {
    const { logger, stderr } = setup({}, { tty: true });
    logger.named('a').info('i');
    logger.named('a').warn('w');
    expect(stderr.chunks.map((c) => c.split('\t')[1])).toEqual(['\x1b[96mINFO\x1b[0m', '\x1b[93mWARN\x1b[0m']);
  });

  it.each([{ NO_COLOR: '1' }, { TERM: 'dumb' }])('never colours when the environment says so (%o)', (env) => {
    const { logger, stderr } = setup({}, { tty: true, env });
    logger.named('http').info('plain');
    expect(stderr.text()).toBe(`${T}\tINFO\thttp        \tplain\n`);
  });

  it('colours a TTY output and writes plain text to a file of the same channel', () => {
    const dir = tempDir();
    const file = join(dir, 'rr.log');
    const { logger, stderr } = setup({ output: ['stderr', file] }, { tty: true });
    logger.named('http').info('both');
    expect(stderr.text()).toContain('\x1b[96mINFO');
    expect(readFileSync(file, 'utf8')).toBe(`${T}\tINFO\thttp        \tboth\n`);
  });

  it('logs at debug level by default', () => {
    const { logger, stderr } = setup({ mode: 'development' });
    logger.debug('visible');
    expect(stderr.lines()).toHaveLength(1);
  });
});

describe('production mode', () => {
  it('writes zap JSON lines with epoch seconds and the channel under "logger"', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    logger.named('http').info('request', { status: 200, path: '/' });
    expect(stderr.chunks).toEqual([`{"level":"info","ts":1714564800.123,"logger":"http","msg":"request","status":200,"path":"/"}\n`]);
  });

  it('writes a line without fields as a closed object', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    logger.named('rpc').error('failed', {});
    expect(JSON.parse(stderr.text())).toEqual({ level: 'error', ts: 1714564800.123, logger: 'rpc', msg: 'failed' });
  });

  it('logs at info level by default', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    logger.debug('hidden');
    logger.info('shown');
    expect(stderr.lines().map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['shown']);
  });

  it('is never coloured, even on a TTY', () => {
    const { logger, stderr } = setup({ mode: 'production' }, { tty: true });
    logger.warn('w');
    expect(stderr.text()).not.toContain('\x1b[');
  });

  it('encodes errors as their text, RrErrors as "<code>: <message>", bigints as strings, and cuts cycles', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.error('x', { error: new Error('disk full'), rr: new RrError('RR_ERR_X_Y', 'bad thing'), big: 10n, cyclic });
    const line = JSON.parse(stderr.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ error: 'disk full', rr: 'RR_ERR_X_Y: bad thing', big: '10', cyclic: { name: 'loop', self: '[Circular]' } });
  });

  it('says so when fields cannot be encoded at all', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    logger.info('x', {
      bad: {
        toJSON() {
          throw new Error('no');
        },
      },
    });
    expect(JSON.parse(stderr.text())).toMatchObject({ msg: 'x', fields_error: 'cannot encode the fields: no' });
  });
});

describe('raw mode', () => {
  it('writes the message text only, at info level by default', () => {
    const { logger, stderr } = setup({ mode: 'raw' });
    logger.named('server').info('worker output', { pid: 12 });
    logger.debug('hidden');
    logger.error('oops');
    expect(stderr.chunks).toEqual(['worker output\n', 'oops\n']);
  });

  it('ignores encoding', () => {
    const { logger, stderr } = setup({ mode: 'raw', encoding: 'json' });
    logger.info('text');
    expect(stderr.text()).toBe('text\n');
  });
});

describe.each(['off', 'none', 'OFF'])('mode %s', (mode) => {
  it('discards everything, raw() included, and opens no output', () => {
    const { logger, stderr, stdout } = setup({ mode, output: ['/nonexistent/dir/rr.log'] });
    logger.error('e');
    logger.named('http').with({ a: 1 }).error('e');
    logger.raw('raw');
    expect([stderr.chunks, stdout.chunks]).toEqual([[], []]);
  });
});

describe('unknown mode', () => {
  it('falls back to development and warns with a code', () => {
    const { logger, stderr } = setup({ mode: 'verbose' });
    logger.named('http').debug('still logged');
    expect(stderr.chunks).toEqual([
      `${T}\tWARN\tlogs        \tunknown logs mode 'verbose', using development\t{"code":"RR_WARN_LOGS_UNKNOWN_MODE","mode":"verbose","path":"logs.mode"}\n`,
      `${T}\tDEBUG\thttp        \tstill logged\n`,
    ]);
  });

  it('names the channel path when a channel has the unknown mode', () => {
    const { stderr } = setup({ channels: { http: { mode: 'loud' } } });
    expect(stderr.text()).toContain('"path":"logs.channels.http.mode"');
  });
});

describe('level', () => {
  it.each([
    ['debug', ['d', 'i', 'w', 'e']],
    ['info', ['i', 'w', 'e']],
    ['warn', ['w', 'e']],
    ['error', ['e']],
    ['panic', []],
    ['fatal', []],
  ])('%s lets through %o', (level, expected) => {
    const { logger, stderr } = setup({ mode: 'raw', level });
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(stderr.lines()).toEqual(expected);
  });

  it('is case-insensitive, as zap reads it', () => {
    const { logger, stderr } = setup({ mode: 'raw', level: 'WARN' });
    logger.info('i');
    logger.warn('w');
    expect(stderr.lines()).toEqual(['w']);
  });

  it('overrides the mode default in production', () => {
    const { logger, stderr } = setup({ mode: 'production', level: 'debug' });
    logger.debug('d');
    expect(stderr.lines()).toHaveLength(1);
  });

  it('costs one comparison when disabled: no clock read, no field access', () => {
    let reads = 0;
    const logger = createLogger({ level: 'error' }, { now: () => ++reads, streams: { stderr: memoryStream() } });
    const fields = new Proxy({}, { get: () => { throw new Error('fields were read'); }, ownKeys: () => { throw new Error('fields were read'); } });
    logger.debug('x', fields);
    logger.with({ a: 1 }).info('x', fields);
    logger.named('http').warn('x', fields);
    expect(reads).toBe(0);
  });
});

describe('encoding and line_ending', () => {
  it('json turns development lines into JSON', () => {
    const { logger, stderr } = setup({ mode: 'development', encoding: 'json' });
    logger.named('http').debug('d', { a: 1 });
    expect(JSON.parse(stderr.text())).toEqual({ level: 'debug', ts: 1714564800.123, logger: 'http', msg: 'd', a: 1 });
  });

  it('console turns production lines into console lines at info level', () => {
    const { logger, stderr } = setup({ mode: 'production', encoding: 'console' });
    logger.named('http').debug('d');
    logger.named('http').info('i');
    expect(stderr.chunks).toEqual([`${T}\tINFO\thttp        \ti\n`]);
  });

  it('line_ending ends every line', () => {
    const { logger, stderr } = setup({ mode: 'production', line_ending: '\r\n' });
    logger.info('a');
    logger.info('b');
    expect(stderr.text().split('\r\n')).toHaveLength(3);
  });
});

describe('channels and fields', () => {
  it('every line names its channel; the root channel is rr unless named otherwise', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    logger.info('root');
    createLogger({ mode: 'production' }, { now, name: 'cli', streams: { stderr } }).info('cli');
    expect(stderr.lines().map((l) => (JSON.parse(l) as { logger: string }).logger)).toEqual(['rr', 'cli']);
  });

  it('applies channels.<name> to that channel only', () => {
    const { logger, stderr } = setup({ mode: 'raw', level: 'debug', channels: { http: { level: 'error' } } });
    logger.named('http').warn('http warn');
    logger.named('http').error('http error');
    logger.named('jobs').debug('jobs debug');
    expect(stderr.lines()).toEqual(['http error', 'jobs debug']);
  });

  it('takes the keys a channel leaves out from the top level, and mode defaults from the channel mode', () => {
    const dir = tempDir();
    const file = join(dir, 'app.log');
    const { logger, stderr } = setup({ mode: 'development', output: file, channels: { http: { mode: 'production' }, server: { output: 'stderr' } } });
    logger.named('http').debug('hidden at info');
    logger.named('http').info('json to the file');
    logger.named('server').debug('console to stderr');
    expect(readFileSync(file, 'utf8')).toBe(`{"level":"info","ts":1714564800.123,"logger":"http","msg":"json to the file"}\n`);
    expect(stderr.chunks).toEqual([`${T}\tDEBUG\tserver      \tconsole to stderr\n`]);
  });

  it('a channel may be switched off alone', () => {
    const { logger, stderr } = setup({ mode: 'raw', channels: { server: { mode: 'off' } } });
    logger.named('server').error('quiet');
    logger.named('server').raw('quiet');
    logger.named('http').error('loud');
    expect(stderr.lines()).toEqual(['loud']);
  });

  it('named() returns the same logger for the same channel', () => {
    const { logger } = setup({});
    expect(logger.named('http')).toBe(logger.named('http'));
  });

  it('with() adds fields to every line; call fields win; named() keeps them', () => {
    const { logger, stderr } = setup({ mode: 'production' });
    const worker = logger.named('server').with({ pid: 1, phase: 'boot' });
    worker.info('a', { phase: 'run' });
    worker.named('http').info('b');
    const lines = stderr.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ logger: 'server', pid: 1, phase: 'run' });
    expect(lines[1]).toMatchObject({ logger: 'http', pid: 1, phase: 'boot' });
  });
});

describe('raw()', () => {
  it('writes text as it is, whatever the format and level', () => {
    const { logger, stderr } = setup({ mode: 'production', level: 'error' });
    logger.named('server').raw('worker said hi');
    expect(stderr.chunks).toEqual(['worker said hi']);
  });
});

describe('outputs', () => {
  it('writes to stdout when asked', () => {
    const { logger, stderr, stdout } = setup({ mode: 'raw', output: 'stdout' });
    logger.info('out');
    expect([stdout.chunks, stderr.chunks]).toEqual([['out\n'], []]);
  });

  it('appends to existing files and shares one file between channels', async () => {
    const dir = tempDir();
    const file = join(dir, 'rr.log');
    writeFileSync(file, 'before\n');
    const { logger } = setup({ mode: 'raw', output: [file], channels: { http: { output: [file], level: 'debug' } } });
    logger.info('root');
    logger.named('http').debug('http');
    await logger.close();
    logger.info('after close is dropped');
    expect(readFileSync(file, 'utf8')).toBe('before\nroot\nhttp\n');
  });

  it('accepts file:// URLs', async () => {
    const dir = tempDir();
    const { logger } = setup({ mode: 'raw', output: `file://${join(dir, 'u.log')}` });
    logger.info('url');
    await logger.close();
    expect(readFileSync(join(dir, 'u.log'), 'utf8')).toBe('url\n');
  });

  it('refuses an output it cannot open, naming the config key; it never creates directories', () => {
    const dir = tempDir();
    const err = (() => {
      try {
        setup({ output: ['stderr', join(dir, 'missing', 'rr.log')] });
      } catch (e) {
        return e;
      }
    })();
    expect(isRrError(err, 'RR_ERR_LOGS_OUTPUT_UNOPENABLE')).toBe(true);
    expect((err as RrError).details).toEqual({ path: 'logs.output[1]', target: join(dir, 'missing', 'rr.log') });
  });

  it('names the channel key when a channel output cannot be opened', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a-dir'));
    expect(() => setup({ channels: { http: { output: join(dir, 'a-dir') } } })).toThrow(
      expect.objectContaining({ code: 'RR_ERR_LOGS_OUTPUT_UNOPENABLE', details: expect.objectContaining({ path: 'logs.channels.http.output[0]' }) }),
    );
  });

  it('names the err_output key too', () => {
    expect(() => setup({ err_output: ['/nonexistent-dir-rr/err.log'] })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ path: 'logs.err_output[0]' }) }),
    );
  });

  it('reports a failed write to err_output and keeps writing to the other outputs', () => {
    const good = memoryStream();
    const broken = { write: () => { throw new Error('EPIPE'); } };
    const logger = createLogger({ mode: 'raw', output: ['stdout', 'stderr'], err_output: 'stdout' }, { now, streams: { stdout: good, stderr: broken } });
    // stdout is both an output and err_output here: the line, then the report about stderr.
    logger.info('line');
    expect(good.chunks).toEqual(['line\n', `${new Date(NOW).toISOString()}\tlogs: cannot write to stderr: EPIPE\n`]);
  });
});

describe('createLogger', () => {
  it('runs on the defaults without a section', () => {
    const stderr = memoryStream();
    createLogger(undefined, { now, streams: { stderr } }).debug('d');
    expect(stderr.text()).toBe(`${T}\tDEBUG\trr          \td\n`);
  });

  it('reports every invalid key with its dotted path and code', () => {
    const err = (() => {
      try {
        createLogger({ level: 'loud', colour: true, channels: { http: { encoding: 'xml' } } });
      } catch (e) {
        return e;
      }
    })() as RrError;
    expect(err.code).toBe('RR_ERR_LOGS_CONFIG_INVALID');
    expect((err.details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }))).toEqual(
      expect.arrayContaining([
        { path: 'logs.level', code: 'RR_ERR_CONFIG_INVALID_VALUE' },
        { path: 'logs.colour', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
        { path: 'logs.channels.http.encoding', code: 'RR_ERR_CONFIG_INVALID_VALUE' },
      ]),
    );
  });
});

describe('iso8601', () => {
  it("formats like zap's ISO8601TimeEncoder: local time, milliseconds, Go's Z0700 zone", () => {
    expect(iso8601(NOW)).toMatch(/^2024-05-0[12]T\d\d:\d\d:00\.123(Z|[+-]\d{4})$/);
  });
});
