import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loggerRef, type Logger } from '@rr/contracts';
import { definePlugin, isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import logsDefault, { createLogsPlugin, logsPlugin } from '../src/index.js';
import { iso8601 } from '../src/format.js';
import { memoryStream, NOW, now, tempDir } from './helpers.js';

/** A plugin that logs through loggerRef, as every plugin does. */
function consumer(onInit: (log: Logger) => void) {
  return definePlugin({
    id: 'consumer',
    kernel: '^1.0.0',
    needs: { logger: loggerRef },
    init: ({ needs }) => {
      const log = needs.logger.named('consumer');
      onInit(log);
      return { stop: () => log.info('consumer stopping') };
    },
  });
}

describe('logs plugin', () => {
  it('is the default and the named export, with id logs', () => {
    expect(logsDefault).toBe(logsPlugin);
    expect(logsPlugin.id).toBe('logs');
  });

  it('runs on the defaults when the section is absent (never disabled)', async () => {
    const stderr = memoryStream();
    const t = await startTestKernel({ plugins: [createLogsPlugin({ streams: { stderr }, now }), consumer((log) => log.debug('hello', { a: 1 }))], config: { consumer: {} } });
    expect(t.kernel.report().find((p) => p.id === 'logs')?.state).toBe('serving');
    await t.stop();
    expect(stderr.chunks).toEqual([`${iso8601(NOW)}\tDEBUG\tconsumer    \thello\t{"a":1}\n`, `${iso8601(NOW)}\tINFO\tconsumer    \tconsumer stopping\n`]);
  });

  it('validates an empty section from {}', async () => {
    const stderr = memoryStream();
    const t = await startTestKernel({ plugins: [createLogsPlugin({ streams: { stderr }, now }), consumer((log) => log.debug('x'))], config: { logs: null, consumer: {} } });
    await t.stop();
    expect(stderr.lines()).toHaveLength(2);
  });

  it('applies the section and its channels to every plugin', async () => {
    const stderr = memoryStream();
    const t = await startTestKernel({
      plugins: [createLogsPlugin({ streams: { stderr }, now }), consumer((log) => {
        log.info('at info');
        log.warn('at warn');
        log.named('http').info('http info');
      })],
      config: { logs: { mode: 'production', channels: { consumer: { level: 'warn' } } }, consumer: {} },
    });
    await t.stop();
    expect(stderr.lines().map((l) => (JSON.parse(l) as { logger: string; msg: string }))).toEqual([
      expect.objectContaining({ logger: 'consumer', msg: 'at warn' }),
      expect.objectContaining({ logger: 'http', msg: 'http info' }),
    ]);
  });

  it('rejects an invalid section with the kernel code and dotted paths', async () => {
    const err = (await startTestKernel({ plugins: [logsPlugin], config: { logs: { level: 'loud', output: 7 } } }).catch((e: unknown) => e)) as RrError;
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect((err.details.issues as { path: string }[]).map((i) => i.path)).toEqual(['logs.level', 'logs.output']);
  });

  it('fails init when an output cannot be opened, with the config key', async () => {
    const dir = tempDir();
    const err = (await startTestKernel({ plugins: [logsPlugin], config: { logs: { output: join(dir, 'no', 'such', 'rr.log') } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code: 'RR_ERR_LOGS_OUTPUT_UNOPENABLE', details: { path: 'logs.output[0]' } });
  });

  it('writes files through init, serve and stop, and closes them last', async () => {
    const dir = tempDir();
    const file = join(dir, 'rr.log');
    const t = await startTestKernel({ plugins: [logsPlugin, consumer((log) => log.info('started'))], config: { logs: { mode: 'raw', output: file }, consumer: {} } });
    await t.stop();
    expect(readFileSync(file, 'utf8')).toBe('started\nconsumer stopping\n');
  });

  it('warns once at init about an unknown mode', async () => {
    const stderr = memoryStream();
    const t = await startTestKernel({ plugins: [createLogsPlugin({ streams: { stderr }, now })], config: { logs: { mode: 'loud', level: 'warn' } } });
    await t.stop();
    expect(stderr.lines()).toEqual([expect.stringContaining("unknown logs mode 'loud', using development")]);
  });
});
