import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HttpMiddleware } from '@rr/contracts';
import { staticConfigSchema, type StaticConfigInput } from '../src/config.js';
import { createStaticMiddleware, resolveStaticRoot } from '../src/middleware.js';

/** A fresh folder per test: `<base>/public` is the served dir, `<base>/secret.txt` lies outside it. */
export function makeFixture(files: Record<string, string | Buffer> = {}): { base: string; dir: string; write(rel: string, body: string | Buffer): string; link(rel: string, target: string): void; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), 'rr-static-'));
  const dir = join(base, 'public');
  mkdirSync(dir);
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  const write = (rel: string, body: string | Buffer) => {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, body);
    return file;
  };
  for (const [rel, body] of Object.entries(files)) write(rel, body);
  return {
    base,
    dir,
    write,
    link: (rel, target) => symlinkSync(target, join(dir, rel)),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** A real node:http server running `middleware` with a `next` that plays PHP. */
export interface TestServer {
  port: number;
  url(path: string): string;
  /** Request headers as the handler after the middleware saw them, for the last request. */
  lastRequestHeaders(): IncomingMessage['headers'] | undefined;
  close(): Promise<void>;
}

export async function serveMiddleware(middleware: HttpMiddleware): Promise<TestServer> {
  let seen: IncomingMessage['headers'] | undefined;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    res.on('finish', () => (seen = { ...req.headers }));
    middleware.handle(req, res, (err) => {
      res.statusCode = err === undefined ? 200 : 500;
      res.setHeader('X-Php', '1');
      res.end(err === undefined ? 'from php' : 'php error');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    lastRequestHeaders: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The static middleware over `dir` with the given section (dir filled in), served by a real server. */
export async function startStatic(dir: string, section: Omit<StaticConfigInput, 'dir'> = {}): Promise<TestServer> {
  const config = staticConfigSchema.parse({ dir, ...section });
  return serveMiddleware(createStaticMiddleware({ config, root: await resolveStaticRoot(config.dir) }));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Sends one request exactly as written (request target untouched: clients would normalise `..`, `%2e`
 * or backslashes away) and reads the answer until the server closes.
 */
export function raw(port: number, target: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const extra = Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.on('connect', () => socket.write(Buffer.from(`${options.method ?? 'GET'} ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${extra}\r\n`, 'latin1')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString('latin1').split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head[0] ?? '')?.[1]);
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status, headers, body: all.subarray(split + 4) });
    });
  });
}
