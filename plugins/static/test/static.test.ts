import { createHash } from 'node:crypto';
import { readdirSync, readlinkSync, realpathSync, utimesSync } from 'node:fs';
import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { crc32 } from '../src/etag.js';
import { makeFixture, raw, startStatic, type TestServer } from './helpers.js';

let fx: ReturnType<typeof makeFixture>;
let srv: TestServer | undefined;

const HELLO = 'hello, static world\n';
const MTIME = new Date('2024-05-01T12:00:00Z');

beforeEach(() => {
  fx = makeFixture({ 'hello.txt': HELLO, 'style.css': 'body{}', 'app.js': 'x()', 'index.php': '<?php echo 1;', 'data.bin': 'bytes', 'UPPER.TXT': 'upper', 'empty.txt': '' });
  utimesSync(`${fx.dir}/hello.txt`, MTIME, MTIME);
});

afterEach(async () => {
  await srv?.close();
  srv = undefined;
  fx.cleanup();
});

async function start(section: Parameters<typeof startStatic>[1] = {}) {
  srv = await startStatic(fx.dir, section);
  return srv;
}

describe('static: serving and falling through', () => {
  it('serves a file with type, length, Last-Modified and Accept-Ranges, and no ETag by default', async () => {
    const s = await start();
    const res = await fetch(s.url('/hello.txt'));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(HELLO);
    expect(Object.fromEntries(res.headers)).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(HELLO.length),
      'last-modified': 'Wed, 01 May 2024 12:00:00 GMT',
      'accept-ranges': 'bytes',
    });
    expect(res.headers.get('etag')).toBeNull();
    expect((await fetch(s.url('/style.css'))).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(s.url('/data.bin'))).headers.get('content-type')).toBe('application/octet-stream');
    expect((await fetch(s.url('/hello.txt?v=3#x'))).status).toBe(200);
  });

  it.each([
    ['a missing file', '/missing.css'],
    ['no extension', '/hello'],
    ['a trailing slash', '/hello.txt/'],
    ['the root', '/'],
  ])('hands %s to PHP', async (_name, path) => {
    const s = await start();
    const res = await fetch(s.url(path));
    expect(await res.text()).toBe('from php');
  });

  it('serves only GET and HEAD; other methods go to PHP', async () => {
    const s = await start();
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) expect(await (await fetch(s.url('/hello.txt'), { method })).text()).toBe('from php');
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const s = await start({ calculate_etag: true });
    const res = await raw(s.port, '/hello.txt', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(String(HELLO.length));
    expect(res.headers.etag).toMatch(/^"\d+-\d+"$/);
    expect(res.body.length).toBe(0);
  });

  it('forbid: listed extensions go to PHP even when the file exists (case-insensitive, dot optional)', async () => {
    const s = await start({ forbid: ['.php', 'TXT'] });
    expect(await (await fetch(s.url('/index.php'))).text()).toBe('from php');
    expect(await (await fetch(s.url('/hello.txt'))).text()).toBe('from php');
    expect(await (await fetch(s.url('/UPPER.TXT'))).text()).toBe('from php');
    expect(await (await fetch(s.url('/style.css'))).text()).toBe('body{}');
  });

  it('allow: only listed extensions are served, and forbid wins over allow', async () => {
    const s = await start({ allow: ['.css', '.TXT', '.js'], forbid: ['.js'] });
    expect(await (await fetch(s.url('/style.css'))).text()).toBe('body{}');
    expect(await (await fetch(s.url('/UPPER.TXT'))).text()).toBe('upper');
    expect(await (await fetch(s.url('/app.js'))).text()).toBe('from php');
    expect(await (await fetch(s.url('/data.bin'))).text()).toBe('from php');
  });

  it('adds request headers and sets response headers on static hits only', async () => {
    const s = await start({ request: { 'X-Static': 'yes' }, response: { 'Cache-Control': 'max-age=60', 'Content-Type': 'text/x-custom' } });
    const hit = await fetch(s.url('/hello.txt'), { headers: { 'X-Static': 'client' } });
    expect(hit.headers.get('cache-control')).toBe('max-age=60');
    expect(hit.headers.get('content-type')).toBe('text/x-custom');
    expect(s.lastRequestHeaders()?.['x-static']).toBe('client, yes');
    const miss = await fetch(s.url('/missing.txt'));
    expect(await miss.text()).toBe('from php');
    expect(miss.headers.get('cache-control')).toBeNull();
    expect(s.lastRequestHeaders()?.['x-static']).toBeUndefined();
    const notModified = await fetch(s.url('/hello.txt'), { headers: { 'If-Modified-Since': MTIME.toUTCString() } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('cache-control')).toBe('max-age=60');
  });
});

describe('static: validators', () => {
  it('Last-Modified: If-Modified-Since at or after the mtime → 304 without body or type; before → 200', async () => {
    const s = await start();
    const same = await raw(s.port, '/hello.txt', { headers: { 'If-Modified-Since': MTIME.toUTCString() } });
    expect(same.status).toBe(304);
    expect(same.body.length).toBe(0);
    expect(same.headers['content-type']).toBeUndefined();
    expect(same.headers['last-modified']).toBe(MTIME.toUTCString());
    const earlier = await fetch(s.url('/hello.txt'), { headers: { 'If-Modified-Since': new Date(MTIME.getTime() - 1000).toUTCString() } });
    expect(earlier.status).toBe(200);
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-Modified-Since': 'not a date' } })).status).toBe(200);
  });

  it('strong ETag is RoadRunner\'s "<length>-<crc32>", answers If-None-Match with 304 and follows edits', async () => {
    const s = await start({ calculate_etag: true });
    const res = await fetch(s.url('/hello.txt'));
    const etag = `"${HELLO.length}-${crc32(Buffer.from(HELLO))}"`;
    expect(res.headers.get('etag')).toBe(etag);
    const nm = await raw(s.port, '/hello.txt', { headers: { 'If-None-Match': etag } });
    expect(nm.status).toBe(304);
    expect(nm.headers.etag).toBe(etag);
    expect(nm.headers['last-modified']).toBeUndefined();
    expect(nm.body.length).toBe(0);
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-None-Match': `"x", W/${etag}` } })).status).toBe(304);
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-None-Match': '*' } })).status).toBe(304);
    // If-None-Match decides alone: a matching If-Modified-Since does not make a stale tag 304.
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-None-Match': '"old"', 'If-Modified-Since': MTIME.toUTCString() } })).status).toBe(200);

    fx.write('hello.txt', 'changed!');
    const after = await fetch(s.url('/hello.txt'), { headers: { 'If-None-Match': etag } });
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('changed!');
    expect(after.headers.get('etag')).toBe(`"8-${crc32(Buffer.from('changed!'))}"`);
    expect((await fetch(s.url('/empty.txt'))).headers.get('etag')).toBeNull();
  });

  it('weak ETag comes from size and mtime, and matches weakly', async () => {
    const s = await start({ calculate_etag: true, weak: true });
    const res = await fetch(s.url('/hello.txt'));
    const etag = res.headers.get('etag');
    expect(etag).toBe(`W/"${HELLO.length}-${MTIME.getTime() / 1000}.0"`);
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-None-Match': etag as string } })).status).toBe(304);
    expect((await fetch(s.url('/style.css'))).headers.get('etag')).not.toBe(etag);
  });

  it('If-Match and If-Unmodified-Since failures answer 412', async () => {
    const s = await start({ calculate_etag: true });
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-Match': '"nope"' } })).status).toBe(412);
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-Unmodified-Since': new Date(MTIME.getTime() - 5000).toUTCString() } })).status).toBe(412);
    expect((await fetch(s.url('/hello.txt'), { headers: { 'If-Match': '*' } })).status).toBe(200);
  });
});

describe('static: ranges', () => {
  it.each([
    ['bytes=0-4', 206, 'hello', 'bytes 0-4/20'],
    ['bytes=7-', 206, 'static world\n', 'bytes 7-19/20'],
    ['bytes=-6', 206, 'world\n', 'bytes 14-19/20'],
    ['bytes=15-100', 206, 'orld\n', 'bytes 15-19/20'],
    ['bytes=0-1,5-6', 200, HELLO, null],
    ['items=0-1', 200, HELLO, null],
  ])('%s → %d', async (range, status, body, contentRange) => {
    const s = await start();
    const res = await fetch(s.url('/hello.txt'), { headers: { Range: range } });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
    expect(res.headers.get('content-range')).toBe(contentRange);
    expect(res.headers.get('content-length')).toBe(String(body.length));
  });

  it.each(['bytes=20-', 'bytes=5-2', 'bytes=abc', 'bytes=-0'])('%s → 416 with the size', async (range) => {
    const s = await start();
    const res = await fetch(s.url('/hello.txt'), { headers: { Range: range } });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */20');
  });

  it('If-Range with a stale validator sends the whole file', async () => {
    const s = await start({ calculate_etag: true });
    const etag = (await fetch(s.url('/hello.txt'))).headers.get('etag') as string;
    expect((await fetch(s.url('/hello.txt'), { headers: { Range: 'bytes=0-4', 'If-Range': etag } })).status).toBe(206);
    expect((await fetch(s.url('/hello.txt'), { headers: { Range: 'bytes=0-4', 'If-Range': '"stale"' } })).status).toBe(200);
    expect((await fetch(s.url('/hello.txt'), { headers: { Range: 'bytes=0-4', 'If-Range': MTIME.toUTCString() } })).status).toBe(206);
  });
});

describe('static: large files', () => {
  /** How many descriptors of this process are open on `file`. */
  const fdsOn = (file: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    }).length;

  async function until(check: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  }

  it('streams a large file intact, holds one descriptor while the client stalls, and closes it on hang-up', async () => {
    const big = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    const file = realpathSync(fx.write('big.bin', big));
    const s = await start({ calculate_etag: true });
    const res = await fetch(s.url('/big.bin'));
    expect(res.headers.get('content-length')).toBe(String(big.length));
    expect(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
    await until(() => fdsOn(file) === 0);

    const req = request(s.url('/big.bin'), (r) => r.pause());
    req.on('error', () => undefined);
    req.end();
    // The client reads nothing, so backpressure keeps the file open mid-stream...
    await until(() => fdsOn(file) === 1);
    req.destroy();
    // ...until the hang-up tears the pipeline down.
    await until(() => fdsOn(file) === 0);
  });
});
