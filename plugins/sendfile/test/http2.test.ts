import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { createSendfileMiddleware } from '../src/index.js';

describe('sendfile middleware over HTTP/2 (h2c, the compatibility API)', () => {
  it('streams the file in place of the worker body', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-sendfile-h2-'));
    const file = join(dir, 'page.html');
    const html = '<p>hello</p>\n'.repeat(10_000);
    writeFileSync(file, html);
    const sendfile = createSendfileMiddleware({ logger: recordingLogger() });
    const server = createServer((req: Http2ServerRequest, res: Http2ServerResponse) => {
      // The http plugin hands middlewares the compatibility objects as Node's HTTP/1 types.
      sendfile.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse, () => {
        res.writeHead(200, { 'x-sendfile': file });
        res.end('from php');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const stream = client.request({ ':path': '/' });
      const headers = await new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve));
      const chunks: Buffer[] = [];
      for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
      expect(headers[':status']).toBe(200);
      expect(headers['content-type']).toBe('text/html; charset=utf-8');
      expect(headers['content-length']).toBe(String(html.length));
      expect(headers['x-sendfile']).toBeUndefined();
      expect(Buffer.concat(chunks).toString()).toBe(html);
    } finally {
      client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
