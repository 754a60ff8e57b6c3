import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSendfileMiddleware } from '../src/index.js';
import { fetchRaw, open, serve, type Php, type TestServer } from './helpers.js';

let dir: string;
let big: string;
let bigHash: string;
const BIG_SIZE = 6 * 1024 * 1024 + 123;
let server: TestServer | undefined;
let logger: RecordingLogger;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rr-sendfile-'));
  big = join(dir, 'big.bin');
  const data = randomBytes(BIG_SIZE);
  bigHash = createHash('sha256').update(data).digest('hex');
  writeFileSync(big, data);
  writeFileSync(join(dir, 'report.json'), '{"ok":true}\n');
  writeFileSync(join(dir, 'empty.txt'), '');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(php: Php): Promise<number> {
  logger = recordingLogger();
  server = await serve(createSendfileMiddleware({ logger }), php);
  return server.port;
}

/** The http plugin's whole response: one writeHead with a flat array, then end with the worker's body. */
function phpSends(path: string, extra: string[] = [], status = 200, body = 'from php'): Php {
  return (_req, res) => {
    res.writeHead(status, ['X-Sendfile', path, 'Content-Length', String(body.length), ...extra]);
    res.end(body);
  };
}

describe('sendfile middleware: streaming the file', () => {
  it('streams a multi-megabyte file with its length, type and mtime, dropping the worker body and X-Sendfile', async () => {
    const port = await start(phpSends(big, ['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']));
    const r = await fetchRaw(port);
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(BIG_SIZE));
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(r.headers['last-modified']).toBe(statSync(big).mtime.toUTCString());
    expect(r.headers['x-sendfile']).toBeUndefined();
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(r.body.length).toBe(BIG_SIZE);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(bigHash);
    expect(r.body.includes('from php')).toBe(false);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('takes the content type from the extension, and keeps the type, disposition and status the worker chose', async () => {
    const report = join(dir, 'report.json');
    const port = await start((req, res) => {
      if (req.url === '/typed') phpSends(report, ['Content-Type', 'text/plain', 'Content-Disposition', 'attachment; filename="r.json"', 'Last-Modified', 'Wed, 01 Jan 2020 00:00:00 GMT'], 201)(req, res);
      else if (req.url === '/not-modified') phpSends(report, [], 304, '')(req, res);
      else phpSends(report, [], 404)(req, res);
    });
    const plain = await fetchRaw(port);
    expect(plain.status).toBe(404); // a custom error page served from a file
    expect(plain.headers['content-type']).toBe('application/json');
    expect(plain.body.toString()).toBe('{"ok":true}\n');
    const typed = await fetchRaw(port, { path: '/typed' });
    expect(typed.status).toBe(201);
    expect(typed.headers['content-type']).toBe('text/plain');
    expect(typed.headers['content-disposition']).toBe('attachment; filename="r.json"');
    expect(typed.headers['last-modified']).toBe('Wed, 01 Jan 2020 00:00:00 GMT');
    expect(typed.headers['content-length']).toBe('12');
    const bodiless = await fetchRaw(port, { path: '/not-modified' });
    expect(bodiless.status).toBe(200); // a 304 cannot carry the file
    expect(bodiless.body.toString()).toBe('{"ok":true}\n');
  });

  it('replaces a streamed worker response (flushHeaders, chunks) and an implicit head from setHeader', async () => {
    const report = join(dir, 'report.json');
    const port = await start(async (req, res) => {
      if (req.url === '/stream') {
        res.writeHead(200, ['X-Sendfile', report, 'Content-Type', 'application/json']);
        res.flushHeaders();
        expect(res.write('chunk 1')).toBe(true);
        await new Promise<void>((resolve) => res.write('chunk 2', () => resolve()));
        res.end();
      } else {
        res.setHeader('X-Sendfile', report);
        res.write('from php');
        res.end('!');
      }
    });
    for (const path of ['/stream', '/implicit']) {
      const r = await fetchRaw(port, { path });
      expect(r.status, path).toBe(200);
      expect(r.headers['x-sendfile'], path).toBeUndefined();
      expect(r.headers['transfer-encoding'], path).toBeUndefined();
      expect(r.headers['content-length'], path).toBe('12');
      expect(r.body.toString(), path).toBe('{"ok":true}\n');
    }
  });

  it('answers HEAD with the file headers and no body, and serves an empty file', async () => {
    const port = await start((req, res) => phpSends(req.url === '/empty' ? join(dir, 'empty.txt') : big)(req, res));
    const head = await fetchRaw(port, { method: 'HEAD' });
    expect(head.headers['content-length']).toBe(String(BIG_SIZE));
    expect(head.body.length).toBe(0);
    const empty = await fetchRaw(port, { path: '/empty' });
    expect(empty.status).toBe(200);
    expect(empty.headers['content-length']).toBe('0');
    expect(empty.headers['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('stops reading when the client goes away mid-file, without logging an error', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const port = await start((req, res) => {
      res.once('close', closed);
      phpSends(big)(req, res);
    });
    const res = await open(port);
    expect(res.headers['content-length']).toBe(String(BIG_SIZE));
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    res.destroy();
    await gone;
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('passes a response without X-Sendfile (or with an empty one) through untouched', async () => {
    const port = await start((req, res) => {
      if (req.url === '/empty-header') res.setHeader('X-Sendfile', '');
      res.end('from php');
    });
    for (const path of ['/', '/empty-header']) {
      const r = await fetchRaw(port, { path });
      expect(r.body.toString(), path).toBe('from php');
      expect(r.headers['content-length'], path).toBe('8');
      expect(r.headers['x-sendfile'], path).toBeUndefined();
    }
  });
});

describe('sendfile middleware: refusals and failures', () => {
  it.each([
    ['a missing file', () => join(dir, 'nope.txt'), 404, 'not found\n', 'RR_ERR_SENDFILE_NOT_FOUND'],
    ['a directory', () => dir, 404, 'not found\n', 'RR_ERR_SENDFILE_NOT_FOUND'],
    ['a relative path', () => 'big.bin', 403, '', 'RR_ERR_SENDFILE_FORBIDDEN_PATH'],
    ['a path with ..', () => `${dir}/../${dir.split('/').pop()}/big.bin`, 403, '', 'RR_ERR_SENDFILE_FORBIDDEN_PATH'],
  ])('answers %s with its status and an error log, never the worker body', async (_name, path, status, body, code) => {
    const port = await start(phpSends(path(), ['Content-Type', 'text/html', 'ETag', '"e"', 'Set-Cookie', 'sid=1']));
    const r = await fetchRaw(port);
    expect(r.status).toBe(status);
    expect(r.body.toString()).toBe(body);
    expect(r.headers['x-sendfile']).toBeUndefined();
    expect(r.headers.etag).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(body.length));
    expect(r.headers['set-cookie']).toEqual(['sid=1']);
    if (body !== '') expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    const errors = logger.lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'sendfile failed', fields: { code, path: path(), uri: '/' } });
  });

  it('answers 500 when the file exists but cannot be opened, keeping the reason in the log only', async () => {
    // A unix socket: stat finds it, open() fails (ENXIO) even for root, who can read anything else.
    const socketPath = join(dir, 'app.sock');
    const unix = createNetServer();
    await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
    try {
      const port = await start(phpSends(socketPath));
      const r = await fetchRaw(port);
      expect(r.status).toBe(500);
      expect(r.body.toString()).toBe('internal server error\n');
      expect(logger.find('sendfile failed', 'error')[0]?.fields).toMatchObject({ code: 'RR_ERR_SENDFILE_READ_FAILED', path: socketPath });
    } finally {
      await new Promise<void>((resolve) => unix.close(() => resolve()));
    }
  });
});
