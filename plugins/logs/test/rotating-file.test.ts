import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/index.js';
import { RotatingFile } from '../src/rotating-file.js';
import { memoryStream, NOW, tempDir } from './helpers.js';

const MB = 1024 * 1024;
const line = `${'x'.repeat(1023)}\n`; // 1 KiB

function open(dir: string, options: Partial<{ max_size: number; max_age: number; max_backups: number; compress: boolean }> = {}, clock = () => NOW) {
  const reports: string[] = [];
  const file = new RotatingFile({ path: join(dir, 'rr.log'), max_size: 1, max_age: 24, max_backups: 10, compress: false, now: clock, ...options }, (m) => reports.push(m));
  return { file, reports };
}

const backups = (dir: string) => readdirSync(dir).filter((n) => n !== 'rr.log').sort();

describe('RotatingFile', () => {
  it('rotates before a write would pass max_size, naming the backup as lumberjack does (UTC)', async () => {
    const dir = tempDir();
    const { file } = open(dir);
    for (let i = 0; i < 1024; i++) file.write(line); // exactly 1 MiB: no rotation yet
    expect(backups(dir)).toEqual([]);
    file.write('next\n');
    await file.close();
    expect(backups(dir)).toEqual(['rr-2024-05-01T12-00-00.123.log']);
    expect(statSync(join(dir, 'rr-2024-05-01T12-00-00.123.log')).size).toBe(MB);
    expect(readFileSync(join(dir, 'rr.log'), 'utf8')).toBe('next\n');
  });

  it('counts what the file already holds', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rr.log'), 'x'.repeat(MB));
    const { file } = open(dir);
    file.write('y\n');
    await file.close();
    expect(backups(dir)).toHaveLength(1);
  });

  it('keeps at most max_backups, newest first, with distinct names within one millisecond', async () => {
    const dir = tempDir();
    const { file } = open(dir, { max_backups: 2 });
    const chunk = 'z'.repeat(MB - 1) + '\n';
    for (let i = 0; i < 5; i++) file.write(chunk);
    await file.close();
    // Four rotations (the first write went into the empty file): .123 to .126; the two newest stay.
    expect(backups(dir)).toEqual(['rr-2024-05-01T12-00-00.125.log', 'rr-2024-05-01T12-00-00.126.log']);
  });

  it('deletes backups older than max_age days', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rr-2024-03-01T00-00-00.000.log'), 'old');
    writeFileSync(join(dir, 'rr-2024-04-30T00-00-00.000.log'), 'recent');
    writeFileSync(join(dir, 'rr-notastamp.log'), 'unrelated');
    const { file } = open(dir, { max_age: 7 });
    file.write('x'.repeat(MB));
    file.write('y');
    await file.close();
    expect(backups(dir)).toEqual(['rr-2024-04-30T00-00-00.000.log', 'rr-2024-05-01T12-00-00.123.log', 'rr-notastamp.log']);
  });

  it('gzips backups when compress is on', async () => {
    const dir = tempDir();
    const { file } = open(dir, { compress: true });
    file.write('a'.repeat(MB));
    file.write('b');
    await file.close();
    expect(backups(dir)).toEqual(['rr-2024-05-01T12-00-00.123.log.gz']);
    expect(gunzipSync(readFileSync(join(dir, 'rr-2024-05-01T12-00-00.123.log.gz'))).toString()).toBe('a'.repeat(MB));
  });

  it('reports a failed housekeeping pass instead of throwing', async () => {
    const dir = tempDir();
    const { file, reports } = open(dir, { compress: true });
    file.write('a'.repeat(MB));
    // A directory where the .gz should go makes compression fail.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'rr-2024-05-01T12-00-00.123.log.gz'));
    file.write('b');
    await file.close();
    expect(reports).toEqual([expect.stringContaining('log rotation housekeeping failed')]);
    expect(readFileSync(join(dir, 'rr.log'), 'utf8')).toBe('b');
  });

  it('drops writes after close', async () => {
    const dir = tempDir();
    const { file } = open(dir);
    await file.close();
    file.write('late');
    expect(readFileSync(join(dir, 'rr.log'), 'utf8')).toBe('');
  });
});

describe('file_logger_options', () => {
  it('replaces output with the rotating file, as RoadRunner does', async () => {
    const dir = tempDir();
    const stderr = memoryStream();
    const logger = createLogger(
      { mode: 'raw', output: 'stderr', file_logger_options: { log_output: join(dir, 'rr.log'), max_size: '1', max_backups: 1 } },
      { now: () => NOW, streams: { stderr } },
    );
    for (let i = 0; i < 3000; i++) logger.info('x'.repeat(999));
    await logger.close();
    expect(stderr.chunks).toEqual([]);
    expect(backups(dir)).toHaveLength(1);
    expect(existsSync(join(dir, 'rr.log'))).toBe(true);
  });

  it('is inherited by channels, unless a channel names its own output', async () => {
    const dir = tempDir();
    const stderr = memoryStream();
    const logger = createLogger(
      { mode: 'raw', file_logger_options: { log_output: join(dir, 'rr.log') }, channels: { http: { level: 'error' }, server: { output: 'stderr' } } },
      { now: () => NOW, streams: { stderr } },
    );
    logger.named('http').error('http');
    logger.named('server').info('server');
    await logger.close();
    expect(readFileSync(join(dir, 'rr.log'), 'utf8')).toBe('http\n');
    expect(stderr.chunks).toEqual(['server\n']);
  });

  it('reports an unopenable log_output with its key', () => {
    expect(() => createLogger({ file_logger_options: { log_output: '/nonexistent-rr-dir/rr.log' } })).toThrow(
      expect.objectContaining({ code: 'RR_ERR_LOGS_OUTPUT_UNOPENABLE', details: expect.objectContaining({ path: 'logs.file_logger_options.log_output' }) }),
    );
  });
});
