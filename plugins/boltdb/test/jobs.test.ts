import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { DeliveredJob } from '@rr/contracts';
import { describe, expect, it } from 'vitest';
import { frameAt, HEADER_SIZE } from '../src/format.js';
import { decodeJobsBody, encodeJobsRecord, type JobsRecord } from '../src/jobs-format.js';
import { bytes, jobMessage, openPipeline, openStore, tempDir, text } from './helpers.js';

const dir = tempDir();
const newFile = async (name = 'jobs.db') => join(await dir(), name);
const ids = (jobs: readonly DeliveredJob[]) => jobs.map((j) => j.id);
const byId = (jobs: readonly DeliveredJob[], id: string) => jobs.find((j) => j.id === id) as DeliveredJob;

/** Every record of a jobs file, decoded from the disk. */
async function records(file: string): Promise<JobsRecord[]> {
  const buf = await readFile(file);
  const out: JobsRecord[] = [];
  for (let pos = HEADER_SIZE; ; ) {
    const frame = frameAt(buf, pos);
    if (frame.kind !== 'record') return out;
    out.push(decodeJobsBody(frame.body));
    pos += frame.size;
  }
}

describe('boltdb jobs: restart', () => {
  it('redelivers after a restart in priority order, FIFO within a priority, fields intact; acked and dropped jobs stay gone', async () => {
    const file = await newFile();
    const binary = new Uint8Array(256).map((_, i) => i);
    const first = await openPipeline(file, { permissions: 0o600 });
    await first.pipeline.push([
      jobMessage('a', { priority: 5 }),
      jobMessage('b', { priority: 1 }),
      jobMessage('c', { priority: 5 }),
      jobMessage('d', { priority: 1, autoAck: true, payload: binary, headers: { 'x-a': ['1', '2'], empty: [] }, job: 'App\\Jobs\\Ünï' }),
      jobMessage('e', { priority: 3 }),
      jobMessage('f', { priority: 5 }),
      jobMessage('g', { priority: 3 }),
    ]);
    expect((await stat(file)).mode & 0o7777).toBe(0o600);
    await first.pipeline.resume();
    await expect.poll(() => first.jobs.length).toBe(7);
    expect(ids(first.jobs)).toEqual(['b', 'd', 'e', 'g', 'a', 'c', 'f']);

    await byId(first.jobs, 'a').ack();
    // Resolved only once the record is on disk.
    expect((await records(file)).at(-1)).toEqual({ op: 'ack', seqs: [1] });
    await byId(first.jobs, 'e').nack();
    await byId(first.jobs, 'f').requeue({ headers: { 'x-retry': ['1'] } });
    expect((await records(file)).at(-1)).toMatchObject({ op: 'requeue', copy: { id: 'f', headers: { 'x-retry': ['1'] } }, replaces: 6 });
    // The copy of f is delivered at once; it and b, c, d, g stay reserved: a restart gives them back.
    await expect.poll(() => first.jobs.length).toBe(8);
    expect(first.jobs[7]).toMatchObject({ id: 'f', headers: { 'x-retry': ['1'] } });
    expect(await first.pipeline.stat()).toMatchObject({ active: 0, delayed: 0, reserved: 5 });
    await first.pipeline.stop();

    const second = await openPipeline(file);
    expect(await second.pipeline.stat()).toMatchObject({ active: 5, delayed: 0, reserved: 0 });
    await second.pipeline.resume();
    await expect.poll(() => second.jobs.length).toBe(5);
    // The requeued copy went to the back of its priority.
    expect(ids(second.jobs)).toEqual(['b', 'd', 'g', 'c', 'f']);
    const d = byId(second.jobs, 'd');
    expect(d).toMatchObject({ job: 'App\\Jobs\\Ünï', priority: 1, autoAck: true, headers: { 'x-a': ['1', '2'], empty: [] }, queue: file, pipeline: 'test' });
    expect(Buffer.from(d.payload).equals(Buffer.from(binary))).toBe(true);
    expect(byId(second.jobs, 'f').headers).toEqual({ 'x-retry': ['1'] });
    expect(text(byId(second.jobs, 'c').payload)).toBe('payload of c');
    await second.pipeline.destroy();
  });

  it('keeps the due time of delayed jobs and of delayed nacks across a restart', async () => {
    const file = await newFile();
    const first = await openPipeline(file);
    const pushedAt = Date.now();
    await first.pipeline.push([jobMessage('soon', { delayMs: 700 }), jobMessage('later', { delayMs: 60_000 }), jobMessage('now')]);
    await first.pipeline.resume();
    await expect.poll(() => first.jobs.length).toBe(1);
    const nackedAt = Date.now();
    await byId(first.jobs, 'now').nack({ requeue: true, delayMs: 700 });
    expect((await records(file)).at(-1)).toMatchObject({ op: 'delay', items: [{ seq: 3 }] });
    await first.pipeline.stop();

    const second = await openPipeline(file, { ack: true });
    expect(await second.pipeline.stat()).toMatchObject({ active: 0, delayed: 3 });
    await second.pipeline.resume();
    await expect.poll(() => second.jobs.length, { timeout: 5000 }).toBe(2);
    const delivered = new Map(second.jobs.map((j, i) => [j.id, second.times[i] as number]));
    expect([...delivered.keys()].sort()).toEqual(['now', 'soon']);
    expect(delivered.get('soon')).toBeGreaterThanOrEqual(pushedAt + 700);
    expect(delivered.get('now')).toBeGreaterThanOrEqual(nackedAt + 700);
    await expect.poll(async () => (await second.pipeline.stat()).delayed).toBe(1);
    await second.pipeline.stop();
    const third = await openPipeline(file);
    expect(await third.pipeline.stat()).toMatchObject({ active: 0, delayed: 1, reserved: 0 });
    await third.pipeline.destroy();
  });

  it('gives a nacked-with-requeue job back in memory, writing nothing', async () => {
    const file = await newFile();
    const { pipeline, jobs } = await openPipeline(file);
    await pipeline.push([jobMessage('x')]);
    await pipeline.resume();
    await expect.poll(() => jobs.length).toBe(1);
    const size = (await stat(file)).size;
    await jobs[0]?.nack({ requeue: true });
    await expect.poll(() => jobs.length).toBe(2);
    expect((await stat(file)).size).toBe(size);
    await jobs[1]?.ack();
    await pipeline.stop();
    expect(await (await openPipeline(file)).pipeline.stat()).toMatchObject({ active: 0, delayed: 0 });
  });
});

describe('boltdb jobs: damaged files', () => {
  const torn = (record: JobsRecord, cut: (buf: Buffer) => Buffer) => cut(encodeJobsRecord(record));
  it.each([
    ['half a push record', () => torn({ op: 'push', jobs: [{ seq: 9, dueAt: 0, priority: 1, autoAck: false, id: 'z', job: 'J', headers: {}, payload: bytes('zzz') }] }, (b) => b.subarray(0, 20))],
    ['an ack with a bad checksum', () => torn({ op: 'ack', seqs: [1] }, (b) => Buffer.from(b.map((v, i) => (i === 6 ? v ^ 0xff : v))))],
    ['zeros', () => Buffer.alloc(512)],
  ])('drops a torn tail (%s) with a warn line and loses no job before it', async (_name, tail) => {
    const file = await newFile();
    const first = await openPipeline(file);
    await first.pipeline.push([jobMessage('x'), jobMessage('y')]);
    await first.pipeline.stop();
    const size = (await stat(file)).size;
    const garbage = tail();
    await appendFile(file, garbage);

    const { pipeline, jobs, logger } = await openPipeline(file, { ack: true });
    expect(logger.find('dropping a torn tail of the jobs file', 'warn')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ file, offset: size, dropped_bytes: garbage.length }) }),
    ]);
    expect((await stat(file)).size).toBe(size);
    await pipeline.resume();
    await expect.poll(() => ids(jobs)).toEqual(['x', 'y']);
    await pipeline.push([jobMessage('after')]);
    await expect.poll(() => jobs.length).toBe(3);
    await pipeline.stop();
    const again = await openPipeline(file);
    expect(again.logger.find('torn', 'warn')).toEqual([]);
    expect(await again.pipeline.stat()).toMatchObject({ active: 0 });
    await again.pipeline.stop();
  });

  it('refuses a record whose checksum matches but which does not decode: RR_ERR_BOLTDB_CORRUPT', async () => {
    const file = await newFile();
    await (await openPipeline(file)).pipeline.stop();
    const record = Buffer.alloc(4 + 1 + 4);
    record.writeUInt32LE(1, 0);
    record.writeUInt8(1, 4); // a kv op in a jobs file
    record.writeUInt32LE(crc32(record.subarray(0, 5)), 5);
    await appendFile(file, record);
    await expect(openPipeline(file)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_CORRUPT', details: { offset: HEADER_SIZE } });
  });
});

describe('boltdb jobs: compaction', () => {
  it('drops acked jobs from the file and keeps the rest, delayed and requeued ones included', async () => {
    const file = await newFile();
    const payload = Buffer.alloc(1024, 7);
    const { pipeline, jobs, logger } = await openPipeline(file, { compactMinBytes: 32 * 1024, prefetch: 1000 });
    await pipeline.push(Array.from({ length: 100 }, (_, i) => jobMessage(`j${i}`, { payload })));
    await pipeline.push([jobMessage('late', { delayMs: 60_000 })]);
    await pipeline.resume();
    await expect.poll(() => jobs.length).toBe(100);
    await Promise.all(jobs.slice(0, 90).map((j) => j.ack()));
    await byId(jobs, 'j95').requeue({ headers: { again: ['yes'] } });
    await pipeline.compaction();
    expect(logger.find('jobs file compacted', 'debug').length).toBeGreaterThan(0);
    expect((await stat(file)).size).toBeLessThan(40 * 1024);
    await pipeline.stop();

    const reopened = await openPipeline(file);
    expect(await reopened.pipeline.stat()).toMatchObject({ active: 10, delayed: 1 });
    await reopened.pipeline.resume();
    await expect.poll(() => reopened.jobs.length).toBe(10);
    expect(ids(reopened.jobs)).toEqual(['j90', 'j91', 'j92', 'j93', 'j94', 'j96', 'j97', 'j98', 'j99', 'j95']);
    expect(byId(reopened.jobs, 'j95').headers).toEqual({ again: ['yes'] });
    expect(Buffer.from(byId(reopened.jobs, 'j99').payload).equals(payload)).toBe(true);
    await expect(stat(`${file}.compact`)).rejects.toMatchObject({ code: 'ENOENT' });
    await reopened.pipeline.stop();
  });
});

describe('boltdb jobs: files and lifecycle', () => {
  it('never shares a file with a kv storage: RR_ERR_BOLTDB_WRONG_KIND either way, RR_ERR_BOLTDB_LOCKED while open', async () => {
    const kvFile = await newFile('kv.db');
    const kv = await openStore(kvFile);
    await expect(openPipeline(kvFile)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_LOCKED', details: { pid: process.pid } });
    await kv.storage.close();
    await expect(openPipeline(kvFile)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_WRONG_KIND', details: { file: kvFile, kind: 'kv' } });

    const jobsFile = await newFile('jobs.db');
    const { pipeline } = await openPipeline(jobsFile);
    await expect(openPipeline(jobsFile)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_LOCKED' });
    await pipeline.push([jobMessage('x')]);
    await pipeline.stop();
    await expect(openStore(jobsFile)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_WRONG_KIND', details: { file: jobsFile, kind: 'jobs' } });
    // Both refusals left the files as they were, and released their locks.
    expect(await (await openPipeline(jobsFile)).pipeline.stat()).toMatchObject({ active: 1 });
  });

  it('refuses pushes after stop with RR_ERR_BOLTDB_PIPELINE_STOPPED; stop keeps the file, destroy deletes it', async () => {
    const file = await newFile();
    const first = await openPipeline(file);
    await first.pipeline.push([jobMessage('x')]);
    await first.pipeline.stop();
    await first.pipeline.stop();
    await expect(first.pipeline.push([jobMessage('y')])).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_PIPELINE_STOPPED', details: { pipeline: 'test' } });
    expect((await stat(file)).isFile()).toBe(true);
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });

    const second = await openPipeline(file);
    await second.pipeline.destroy();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await second.pipeline.destroy();
  });

  it('destroys through a stopped handle only while no other pipeline has the file open', async () => {
    const file = await newFile();
    const first = await openPipeline(file);
    await first.pipeline.push([jobMessage('x')]);
    await first.pipeline.stop();
    const second = await openPipeline(file);
    await first.pipeline.destroy();
    expect(await second.pipeline.stat()).toMatchObject({ active: 1 });
    expect((await stat(file)).isFile()).toBe(true);
    await second.pipeline.stop();

    const third = await openPipeline(file);
    await third.pipeline.stop();
    await third.pipeline.destroy();
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('needs the folder to exist: RR_ERR_BOLTDB_DIR_MISSING', async () => {
    const file = join(await dir(), 'missing', 'jobs.db');
    await expect(openPipeline(file)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_DIR_MISSING' });
  });
});
