import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpMiddleware } from '@rr/contracts';

/** What stands in for PHP behind a middleware under test. */
export type InnerHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface MiddlewareServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A real node:http server on a free loopback port whose handler is `middleware` with `inner` as the
 * next handler (PHP's place in the http plugin's chain); `next(err)` answers 500 with the error text.
 */
export async function serveMiddleware(middleware: HttpMiddleware, inner: InnerHandler): Promise<MiddlewareServer> {
  const server = createServer((req, res) => {
    middleware.handle(req, res, (err) => {
      if (err !== undefined) {
        res.statusCode = 500;
        res.end(String(err));
        return;
      }
      Promise.resolve(inner(req, res)).catch((e: unknown) => res.destroy(e as Error));
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

/** One request with node:http (no automatic decompression, no agent), the whole body collected. */
export function requestRaw(port: number, options: { method?: string; path?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
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
