import { spawnSync } from 'node:child_process';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeRecord, HEADER_SIZE } from '../src/format.js';
import { bytes, inSeconds, openStore, tempDir, text } from './helpers.js';

const dir = tempDir();
const newFile = async (name = 'kv.db') => join(await dir(), name);

describe('boltdb store: restart', () => {
  it('keeps values, binary and empty ones, and deadlines across close and reopen', async () => {
    const file = await newFile();
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const hour = inSeconds(3600);
    const first = await openStore(file);
    await first.storage.set([
      { key: 'bin', value: binary },
      { key: 'empty', value: new Uint8Array(0) },
      { key: 'ünï', value: bytes('☃'), expiresAt: hour },
      { key: 'gone', value: bytes('x') },
      { key: 'later', value: bytes('y') },
    ]);
    await first.storage.delete(['gone']);
    await first.storage.mexpire([{ key: 'later', expiresAt: hour + 1000 }]);
    await first.storage.close();

    const { storage } = await openStore(file);
    const got = await storage.mget(['bin', 'empty', 'ünï', 'gone', 'later']);
    expect(Buffer.from(got.get('bin') ?? []).equals(binary)).toBe(true);
    expect(got.get('empty')?.length).toBe(0);
    expect(text(got.get('ünï'))).toBe('☃');
    expect(got.has('gone')).toBe(false);
    expect(await storage.ttl(['ünï', 'later', 'bin'])).toEqual(new Map([['ünï', hour], ['later', hour + 1000], ['bin', null]]));
    await storage.clear();
    await storage.close();
    const cleared = await openStore(file);
    expect(await cleared.storage.has(['bin', 'later'])).toEqual([]);
    await cleared.storage.close();
  });

  it('expires an item at the deadline it was given before a restart', async () => {
    const file = await newFile();
    const first = await openStore(file);
    const deadline = Date.now() + 1500;
    await first.storage.set([{ key: 'soon', value: bytes('x'), expiresAt: deadline }, { key: 'stays', value: bytes('y') }]);
    await first.storage.close();

    const { storage } = await openStore(file);
    expect(await storage.ttl(['soon'])).toEqual(new Map([['soon', deadline]]));
    await expect.poll(() => storage.has(['soon']), { timeout: 5000, interval: 25 }).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline);
    await storage.close();
    // Expired while closed: the replay leaves it out.
    const again = await openStore(file);
    expect(await again.storage.has(['soon', 'stays'])).toEqual(['stays']);
    await again.storage.close();
  });

  it('frees expired items from memory on the sweep, without any read', async () => {
    const { storage } = await openStore(await newFile(), { intervalMs: 20 });
    await storage.set([{ key: 'short', value: bytes('x'), expiresAt: Date.now() + 100 }, { key: 'kept', value: bytes('y') }]);
    expect(storage.size).toBe(2);
    await expect.poll(() => storage.size, { timeout: 3000, interval: 20 }).toBe(1);
    await storage.close();
  });

  it('commits concurrent callers together and keeps each of them', async () => {
    const file = await newFile();
    const first = await openStore(file);
    await Promise.all(Array.from({ length: 200 }, (_, i) => first.storage.set([{ key: `k${i}`, value: bytes(`v${i}`) }])));
    await first.storage.close();
    const { storage } = await openStore(file);
    const got = await storage.mget(Array.from({ length: 200 }, (_, i) => `k${i}`));
    expect(got.size).toBe(200);
    expect(text(got.get('k199'))).toBe('v199');
    await storage.close();
  });

  it('rejects calls after close with RR_ERR_BOLTDB_CLOSED, and closes twice without harm', async () => {
    const { storage } = await openStore(await newFile());
    const pending = storage.set([{ key: 'k', value: bytes('v') }]);
    const closed = storage.close();
    await expect(pending).resolves.toBeUndefined();
    await closed;
    await storage.close();
    await expect(storage.set([{ key: 'k', value: bytes('v') }])).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_CLOSED' });
    await expect(storage.has(['k'])).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_CLOSED' });
  });
});

describe('boltdb store: damaged and foreign files', () => {
  async function withData(file: string) {
    const { storage } = await openStore(file);
    await storage.set([{ key: 'a', value: bytes('alpha') }]);
    await storage.set([{ key: 'b', value: bytes('beta'), expiresAt: inSeconds(60) }]);
    await storage.close();
    return (await stat(file)).size;
  }

  it.each([
    ['half a record', () => encodeRecord({ op: 'set', items: [{ key: 'c', value: bytes('gamma'), expiresAt: undefined }] }).subarray(0, 11)],
    ['a whole record with a bad checksum', () => Buffer.from(encodeRecord({ op: 'delete', keys: ['a'] }).map((b, i) => (i === 6 ? b ^ 0xff : b)))],
    ['garbage', () => Buffer.from('\x07not a record at all, just noise')],
    ['zeros', () => Buffer.alloc(4096)],
  ])('truncates a torn tail (%s) with a warn line and keeps what came before', async (_name, tail) => {
    const file = await newFile();
    const size = await withData(file);
    const garbage = tail();
    await appendFile(file, garbage);

    const { storage, logger } = await openStore(file);
    expect(logger.find('dropping a torn tail of the kv file', 'warn')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ file, offset: size, dropped_bytes: garbage.length }) }),
    ]);
    expect(text((await storage.mget(['a'])).get('a'))).toBe('alpha');
    expect(await storage.has(['a', 'b'])).toEqual(['a', 'b']);
    expect((await stat(file)).size).toBe(size);
    // Writes go on after the cut, and survive the next restart without another warn.
    await storage.set([{ key: 'c', value: bytes('gamma') }]);
    await storage.close();
    const again = await openStore(file);
    expect(await again.storage.has(['a', 'b', 'c'])).toEqual(['a', 'b', 'c']);
    expect(again.logger.find('torn', 'warn')).toEqual([]);
    await again.storage.close();
  });

  it('refuses a record whose checksum matches but which does not decode: RR_ERR_BOLTDB_CORRUPT', async () => {
    const file = await newFile();
    const size = await withData(file);
    const record = Buffer.alloc(4 + 1 + 4);
    record.writeUInt32LE(1, 0);
    record.writeUInt8(9, 4); // no such op
    record.writeUInt32LE(crc32(record.subarray(0, 5)), 5);
    await appendFile(file, record);
    await expect(openStore(file)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_CORRUPT', details: { offset: size } });
    expect((await stat(file)).size).toBe(size + record.length);
  });

  it('starts over a file that a crash left empty or with half a header', async () => {
    const empty = await newFile('empty.db');
    await writeFile(empty, '');
    const torn = await newFile('torn.db');
    const header = await (async () => {
      const probe = await newFile('probe.db');
      await (await openStore(probe)).storage.close();
      return readFile(probe);
    })();
    await writeFile(torn, header.subarray(0, 7));
    for (const file of [empty, torn]) {
      const { storage } = await openStore(file);
      await storage.set([{ key: 'k', value: bytes('v') }]);
      await storage.close();
      const again = await openStore(file);
      expect(await again.storage.has(['k'])).toEqual(['k']);
      await again.storage.close();
    }
  });

  it('refuses a bbolt file (RoadRunner rr.db) with RR_ERR_BOLTDB_FOREIGN_FILE and leaves it untouched', async () => {
    const file = await newFile('rr.db');
    // bbolt's first page: page id 0, flags 0x04 (meta), then the meta magic 0xED0CDAED, version 2.
    const page = Buffer.alloc(4096);
    page.writeUInt16LE(0x04, 8);
    page.writeUInt32LE(0xed0cdaed, 16);
    page.writeUInt32LE(2, 20);
    await writeFile(file, page);
    const err = await openStore(file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RR_ERR_BOLTDB_FOREIGN_FILE', details: { file } });
    expect((await readFile(file)).equals(page)).toBe(true);
    // The failed open released its lock.
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a short file that is not ours, and a format version it does not know', async () => {
    const short = await newFile('short.db');
    await writeFile(short, 'hello');
    await expect(openStore(short)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_FOREIGN_FILE' });

    const future = await newFile('future.db');
    await (await openStore(future)).storage.close();
    const header = await readFile(future);
    header.writeUInt32LE(99, 8);
    header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
    await writeFile(future, header);
    await expect(openStore(future)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_UNSUPPORTED_VERSION' });
  });
});

describe('boltdb store: ownership and files', () => {
  it('refuses a second open of the same file with RR_ERR_BOLTDB_LOCKED until the first closes', async () => {
    const file = await newFile();
    const { storage } = await openStore(file);
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    await expect(openStore(join(file, '..', '.', 'kv.db'))).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_LOCKED', details: { pid: process.pid } });
    await storage.close();
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    await (await openStore(file)).storage.close();
  });

  it('takes over a lock whose process is gone, with a warn line', async () => {
    const file = await newFile();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(`${file}.lock`, `${dead.stdout}\n`);
    const { storage, logger } = await openStore(file);
    expect(logger.find('taking over a stale lock', 'warn')).toEqual([expect.objectContaining({ fields: expect.objectContaining({ file, pid: Number(dead.stdout) }) })]);
    expect(await readFile(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    await storage.close();
  });

  it('creates the file with the configured permissions, which compaction keeps', async () => {
    const file = await newFile();
    const { storage } = await openStore(file, { permissions: 0o600 });
    expect((await stat(file)).mode & 0o7777).toBe(0o600);
    const big = Buffer.alloc(400 * 1024, 1);
    // The third write passes 1 MiB and twice the live 400 KiB.
    for (let i = 0; i < 3; i++) await storage.set([{ key: 'big', value: big }]);
    await storage.compaction();
    expect((await stat(file)).size).toBeLessThan(500 * 1024);
    expect((await stat(file)).mode & 0o7777).toBe(0o600);
    await storage.close();
  });

  it('needs the folder to exist: RR_ERR_BOLTDB_DIR_MISSING', async () => {
    const file = join(await dir(), 'missing', 'kv.db');
    await expect(openStore(file)).rejects.toMatchObject({ code: 'RR_ERR_BOLTDB_DIR_MISSING', details: { dir: join(file, '..') } });
  });
});

describe('boltdb store: compaction', () => {
  it('shrinks a log of overwrites and deletes, keeping data and writes made meanwhile', async () => {
    const file = await newFile();
    const { storage } = await openStore(file);
    const value = (n: number) => Buffer.alloc(64 * 1024, n);
    const hour = inSeconds(3600);
    await storage.set([{ key: 'gone', value: value(9) }, { key: 'ttl', value: bytes('t'), expiresAt: hour }]);
    await storage.delete(['gone']);
    for (let round = 0; round < 6; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, k) => storage.set([{ key: `k${k}`, value: value(round) }])));
      await storage.compaction();
    }
    // 6 rounds × 8 × 64 KiB were written; about one round is live.
    const size = (await stat(file)).size;
    expect(size).toBeLessThan(2 * 8 * 64 * 1024 + 4096);

    // Writes made while a compaction runs (after its snapshot) land in the new file too.
    for (let round = 6; !storage.compacting; round++) {
      expect(round).toBeLessThan(20);
      await storage.set(Array.from({ length: 8 }, (_, k) => ({ key: `k${k}`, value: value(round) })));
    }
    const during = Array.from({ length: 40 }, (_, i) => storage.set([{ key: `during${i}`, value: value(i) }]));
    await Promise.all([...during, storage.compaction()]);
    await storage.close();

    const { storage: reopened } = await openStore(file);
    const got = await reopened.mget([...Array.from({ length: 8 }, (_, k) => `k${k}`), 'gone', 'during39']);
    expect(got.size).toBe(9);
    expect(got.get('k3')?.[0]).toBeGreaterThanOrEqual(6);
    expect(got.get('during39')?.[100]).toBe(39);
    expect(await reopened.ttl(['ttl'])).toEqual(new Map([['ttl', hour]]));
    await expect(stat(`${file}.compact`)).rejects.toMatchObject({ code: 'ENOENT' });
    await reopened.close();
  });

  it('does not compact a small log', async () => {
    const file = await newFile();
    const { storage } = await openStore(file);
    for (let i = 0; i < 20; i++) await storage.set([{ key: 'k', value: Buffer.alloc(10 * 1024) }]);
    await storage.compaction();
    expect((await stat(file)).size).toBeGreaterThan(HEADER_SIZE + 20 * 10 * 1024);
    await storage.close();
  });

  it('removes a .compact file left by a crash during compaction', async () => {
    const file = await newFile();
    await (await openStore(file)).storage.close();
    await writeFile(`${file}.compact`, 'half-written');
    await (await openStore(file)).storage.close();
    await expect(stat(`${file}.compact`)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
