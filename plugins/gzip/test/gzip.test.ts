import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createGunzip, gunzipSync } from 'node:zlib';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createGzipMiddleware } from '../src/index.js';
import { fetchRaw, open, serve, text, type Php, type TestServer } from './helpers.js';

const GZIP = { 'accept-encoding': 'gzip, deflate, br' };
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(php: Php): Promise<number> {
  server = await serve(createGzipMiddleware({ logger: recordingLogger() }), php);
  return server.port;
}

/** What the http plugin does for a whole worker response: one writeHead with a flat array, then end. */
function whole(body: string | Buffer, headers: string[] = ['Content-Type', 'text/plain; charset=utf-8'], status = 200): Php {
  return (_req, res) => {
    res.writeHead(status, [...headers, 'Content-Length', String(Buffer.byteLength(body))]);
    res.end(body);
  };
}

describe('gzip middleware: negotiation', () => {
  it('gzips a large body for a client that accepts gzip, dropping Content-Length', async () => {
    const body = text(20_000);
    const port = await start(whole(body));
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(r.body.length).toBeLessThan(body.length / 10);
    expect(gunzipSync(r.body).toString()).toBe(body);
  });

  it.each([
    ['no Accept-Encoding', {}],
    ['gzip;q=0', { 'accept-encoding': 'gzip;q=0, deflate' }],
    ['only br and deflate', { 'accept-encoding': 'br, deflate' }],
  ])('leaves the body plain with %s, still announcing Vary', async (_name, headers) => {
    const body = text(20_000);
    const port = await start(whole(body));
    const r = await fetchRaw(port, { headers });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers['content-length']).toBe(String(body.length));
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(r.body.toString()).toBe(body);
  });

  it('decodes in a real fetch client (undici), which asks for gzip itself', async () => {
    const body = JSON.stringify({ items: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `item ${i}` })) });
    const port = await start(whole(body, ['Content-Type', 'application/json']));
    const r = await fetch(`http://127.0.0.1:${port}/`);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    expect(await r.json()).toEqual(JSON.parse(body));
  });
});

describe('gzip middleware: what stays plain (gzhttp rules)', () => {
  it('keeps a body under 1 KiB plain, with or without Content-Length from the worker', async () => {
    const port = await start((req, res) => {
      if (req.url === '/declared') whole(text(1023))(req, res);
      else res.end(text(1023)); // Node's implicit head: the length is known from end()
    });
    for (const path of ['/declared', '/implicit']) {
      const r = await fetchRaw(port, { path, headers: GZIP });
      expect(r.headers['content-encoding'], path).toBeUndefined();
      expect(r.headers['content-length'], path).toBe('1023');
      expect(r.headers.vary, path).toBe('Accept-Encoding');
    }
  });

  it('compresses from exactly 1 KiB, also through the implicit head of end()', async () => {
    const port = await start((req, res) => {
      if (req.url === '/declared') whole(text(1024))(req, res);
      else res.end(text(1024));
    });
    for (const path of ['/declared', '/implicit']) {
      const r = await fetchRaw(port, { path, headers: GZIP });
      expect(r.headers['content-encoding'], path).toBe('gzip');
      expect(gunzipSync(r.body).toString(), path).toBe(text(1024));
    }
  });

  it.each([
    ['an encoding the worker already applied', ['Content-Type', 'text/plain', 'Content-Encoding', 'br'], 200, 'br'],
    ['a byte range', ['Content-Type', 'text/plain', 'Content-Range', 'bytes 0-4999/9000'], 206, undefined],
    ['a JPEG', ['Content-Type', 'image/jpeg'], 200, undefined],
    ['a zip archive', ['Content-Type', 'application/zip'], 200, undefined],
    ['an X-Sendfile reply (its body is replaced by the file)', ['Content-Type', 'text/plain', 'X-Sendfile', '/srv/file.txt'], 200, undefined],
  ])('skips %s', async (_name, headers, status, encoding) => {
    const body = text(5000);
    const port = await start(whole(body, headers, status));
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.status).toBe(status);
    expect(r.headers['content-encoding']).toBe(encoding);
    expect(r.headers['content-length']).toBe('5000');
    expect(r.body.toString()).toBe(body);
  });

  it('honours and strips the No-Gzip-Compression opt-out header', async () => {
    const body = text(5000);
    const port = await start(whole(body, ['Content-Type', 'text/plain', 'No-Gzip-Compression', '1']));
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.headers['no-gzip-compression']).toBeUndefined();
    expect(r.body.toString()).toBe(body);
  });

  it('leaves HEAD, 204 and 304 untouched (no body, no Content-Encoding), with Vary', async () => {
    const port = await start((req, res) => {
      if (req.url === '/204') {
        res.writeHead(204, ['X-Id', '1']);
        res.end();
      } else if (req.url === '/304') {
        res.writeHead(304, ['ETag', '"abc"']);
        res.end();
      } else {
        whole(text(5000))(req, res);
      }
    });
    const head = await fetchRaw(port, { method: 'HEAD', headers: GZIP });
    expect(head.headers['content-encoding']).toBeUndefined();
    expect(head.headers['content-length']).toBe('5000');
    expect(head.headers.vary).toBe('Accept-Encoding');
    const noContent = await fetchRaw(port, { path: '/204', headers: GZIP });
    expect(noContent.status).toBe(204);
    expect(noContent.headers['content-encoding']).toBeUndefined();
    expect(noContent.headers.vary).toBe('Accept-Encoding');
    const notModified = await fetchRaw(port, { path: '/304', headers: GZIP });
    expect(notModified.status).toBe(304);
    expect(notModified.headers['content-encoding']).toBeUndefined();
    expect(notModified.headers.etag).toBe('"abc"');
  });
});

describe('gzip middleware: headers', () => {
  it('merges Vary, weakens a strong ETag, drops Accept-Ranges and keeps repeated headers', async () => {
    const port = await start(
      whole(text(4000), ['Content-Type', 'text/html', 'Vary', 'Cookie', 'ETag', '"v1"', 'Accept-Ranges', 'bytes', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']),
    );
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers.vary).toBe('Cookie, Accept-Encoding');
    expect(r.headers.etag).toBe('W/"v1"');
    expect(r.headers['accept-ranges']).toBeUndefined();
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
  });

  it('keeps a weak ETag and a Vary that already names Accept-Encoding or *', async () => {
    const port = await start((req, res) =>
      whole(text(4000), ['Content-Type', 'text/html', 'ETag', 'W/"v2"', 'Vary', req.url === '/star' ? '*' : 'accept-encoding, Origin'])(req, res),
    );
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.headers.etag).toBe('W/"v2"');
    expect(r.headers.vary).toBe('accept-encoding, Origin');
    const star = await fetchRaw(port, { path: '/star', headers: GZIP });
    expect(star.headers.vary).toBe('*');
  });

  it('lets writeHead with a bad header throw without touching the response, so the caller can retry', async () => {
    const port = await start((_req, res) => {
      expect(() => res.writeHead(200, ['Content-Type', 'text/plain', 'X-Bad', 'a\nb'])).toThrow();
      expect(res.headersSent).toBe(false);
      expect(res.getHeader('content-type')).toBeUndefined();
      whole(text(3000))(_req, res);
    });
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers['x-bad']).toBeUndefined();
  });

  it('sees headers set with setHeader before an implicit head', async () => {
    const port = await start((_req, res) => {
      res.statusCode = 201;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('ETag', '"x"');
      res.write(JSON.stringify({ a: text(2000) }));
      res.end();
    });
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.status).toBe(201);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.headers.etag).toBe('W/"x"');
    expect(JSON.parse(gunzipSync(r.body).toString())).toEqual({ a: text(2000) });
  });
});

describe('gzip middleware: streaming', () => {
  it('delivers each streamed chunk compressed and decodable before the next one is written', async () => {
    const events = ['data: one\n\n', 'data: two\n\n', 'data: three\n\n'];
    const received: ((text: string) => void)[] = [];
    const seen = events.map((e) => new Promise<void>((resolve) => received.push((t) => t.includes(e) && resolve())));
    const port = await start(async (_req, res) => {
      // The http plugin's stream: the head first (flushHeaders), then one write per worker frame.
      res.writeHead(200, ['Content-Type', 'text/event-stream', 'Cache-Control', 'no-cache']);
      res.flushHeaders();
      for (const [i, event] of events.entries()) {
        res.write(event);
        await seen[i]; // the client decoded it: nothing waits in zlib's window
      }
      res.end();
    });
    const res = await open(port, GZIP);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toBe('text/event-stream');
    let decoded = '';
    let compressedBytes = 0;
    res.on('data', (c: Buffer) => (compressedBytes += c.length));
    const gunzip = res.pipe(createGunzip());
    gunzip.on('data', (c: Buffer) => {
      decoded += c.toString();
      for (const r of received) r(decoded);
    });
    await once(gunzip, 'end');
    expect(decoded).toBe(events.join(''));
    expect(compressedBytes).toBeGreaterThan(0);
  });

  it('streams megabytes under backpressure without losing or reordering a byte', async () => {
    // Random bytes do not compress: zlib's output is as large as its input, so both zlib and the
    // socket push back, and write()/drain must carry that to the worker side.
    const chunks = Array.from({ length: 64 }, () => randomBytes(64 * 1024));
    const expected = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    let pushedBack!: () => void;
    const pushback = new Promise<void>((resolve) => (pushedBack = resolve));
    let waits = 0;
    const port = await start(async (_req, res: ServerResponse) => {
      res.writeHead(200, ['Content-Type', 'application/octet-stream']);
      for (const chunk of chunks) {
        if (res.write(chunk)) continue;
        waits += 1;
        pushedBack();
        await once(res, 'drain');
      }
      res.end();
    });
    const res = await open(port, GZIP);
    expect(res.headers['content-encoding']).toBe('gzip');
    // The client reads nothing until the worker side has been told to wait.
    await pushback;
    const hash = createHash('sha256');
    const gunzip = res.pipe(createGunzip());
    let total = 0;
    for await (const c of gunzip as AsyncIterable<Buffer>) {
      hash.update(c);
      total += c.length;
    }
    expect(total).toBe(64 * 64 * 1024);
    expect(hash.digest('hex')).toBe(expected);
    expect(waits).toBeGreaterThan(0);
  });

  it('passes zlib backpressure on as drain even when the socket never pushes back', async () => {
    // A large compressible write fills zlib's input buffer (write() says false) while its tiny output
    // never fills the socket: the drain the worker side waits for has to come from zlib.
    let waits = 0;
    const port = await start(async (_req, res: ServerResponse) => {
      res.writeHead(200, ['Content-Type', 'text/plain']);
      for (let i = 0; i < 4; i++) {
        if (res.write(text(1 << 20))) continue;
        waits += 1;
        await once(res, 'drain');
      }
      res.end();
    });
    const r = await fetchRaw(port, { headers: GZIP });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(r.body.length).toBeLessThan(100_000);
    expect(gunzipSync(r.body).toString()).toBe(text(1 << 20).repeat(4));
    expect(waits).toBeGreaterThan(0);
  });

  it('releases the compressor when the client goes away mid-stream', async () => {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const port = await start((_req, res) => {
      res.writeHead(200, ['Content-Type', 'text/plain']);
      res.write(text(2000));
      res.once('close', closed);
    });
    const res = await open(port, GZIP);
    expect(res.headers['content-encoding']).toBe('gzip');
    res.destroy();
    await gone;
  });
});
