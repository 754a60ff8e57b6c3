import { connect, createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createGzipMiddleware } from '../src/index.js';
import { text } from './helpers.js';

describe('gzip middleware over HTTP/2 (h2c, the compatibility API)', () => {
  it('compresses a streamed response', async () => {
    const gzip = createGzipMiddleware();
    const server = createServer((req: Http2ServerRequest, res: Http2ServerResponse) => {
      // The http plugin hands middlewares the compatibility objects as Node's HTTP/1 types.
      gzip.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse, () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(text(3000));
        res.end(text(3000));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const stream = client.request({ ':path': '/', 'accept-encoding': 'gzip' });
      const headers = await new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve));
      const chunks: Buffer[] = [];
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
      expect(headers['content-encoding']).toBe('gzip');
      expect(headers.vary).toBe('Accept-Encoding');
      expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe(text(3000) + text(3000));
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
