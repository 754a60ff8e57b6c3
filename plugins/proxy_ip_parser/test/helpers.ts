import { createServer, request as httpRequest, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequestState, type HttpMiddleware } from '@rr/contracts';

export interface TestServer {
  port: number;
  close(): Promise<void>;
}

/** What the PHP stand-in answers: the remoteAddr a middleware set (null when none) and the peer. */
export interface Seen {
  remoteAddr: string | null;
  peer: string | null;
}

/**
 * A real node:http server on `::` (dual stack: IPv4 peers arrive as ::ffff:a.b.c.d) running
 * `middleware.handle` in front of a `next` that plays PHP.
 */
export async function serve(middleware: HttpMiddleware): Promise<TestServer> {
  const server: Server = createServer((req, res) => {
    middleware.handle(req, res, () => {
      const seen: Seen = { remoteAddr: httpRequestState(req).remoteAddr ?? null, peer: req.socket.remoteAddress ?? null };
      res.writeHead(200, ['Content-Type', 'application/json']).end(JSON.stringify(seen));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  let closed: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      })),
  };
}

/** One GET from `from` (a local address: 127.0.0.2 is as good as 127.0.0.1 on Linux) to `to`. */
export function ask(port: number, headers: OutgoingHttpHeaders, options: { to?: string; from?: string } = {}): Promise<Seen> {
  const host = options.to ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path: '/', headers, agent: false, ...(options.from === undefined ? {} : { localAddress: options.from }) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(JSON.parse(body) as Seen));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
