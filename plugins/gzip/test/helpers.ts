import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpMiddleware } from '@rr/contracts';

export type Php = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  port: number;
  close(): Promise<void>;
}

/** A real node:http server on a free port whose handler is `middleware` with `php` as the inner handler. */
export async function serve(middleware: HttpMiddleware, php: Php): Promise<TestServer> {
  const server = createServer((req, res) => {
    middleware.handle(req, res, (err) => {
      if (err !== undefined) {
        res.statusCode = 500;
        res.end(String(err));
        return;
      }
      Promise.resolve(php(req, res)).catch((e: unknown) => res.destroy(e as Error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

/** One request with node:http (no automatic decompression), the whole body collected. */
export function fetchRaw(port: number, options: { method?: string; path?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a request and hands back the live response, for tests that read it chunk by chunk. */
export function open(port: number, headers: Record<string, string>, path = '/'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

/** Text of `n` bytes that compresses well (a line repeated), so gzip output is visibly smaller. */
export function text(n: number): string {
  const line = 'the quick brown fox jumps over the lazy dog\n';
  return line.repeat(Math.ceil(n / line.length)).slice(0, n);
}
