import { createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpMiddleware } from '@rr/contracts';

/** What the PHP stand-in saw, returned as its JSON body. */
export interface PhpView {
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
}

/** How the PHP stand-in writes its answer. */
export type PhpAnswer = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** The http plugin's way: one `writeHead` with a flat raw-header list. */
export const writeHeadFlat =
  (flat: string[] = [], status = 200): PhpAnswer =>
  (_req, res, body) => {
    res.writeHead(status, [...flat, 'Content-Type', 'application/json']);
    res.end(body);
  };

export interface TestServer {
  url: string;
  /** Requests that reached the PHP stand-in. */
  phpCalls: number;
  close(): Promise<void>;
}

/** A real node:http server: `middleware.handle` in front of a `next` that plays PHP. */
export async function serve(middleware: HttpMiddleware, answer: PhpAnswer = writeHeadFlat()): Promise<TestServer> {
  const state = { phpCalls: 0, closed: undefined as Promise<void> | undefined };
  const server: Server = createServer((req, res) => {
    middleware.handle(req, res, (err?: unknown) => {
      if (err !== undefined) {
        res.writeHead(500).end(String(err));
        return;
      }
      state.phpCalls++;
      const view: PhpView = { rawHeaders: [...req.rawHeaders], headers: { ...req.headers } };
      answer(req, res, JSON.stringify(view));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get phpCalls() {
      return state.phpCalls;
    },
    close: () =>
      (state.closed ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      })),
  };
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  /** Every header line as received, names lower-cased: `[name, value]`. */
  lines: [string, string][];
  body: string;
  php: PhpView | undefined;
}

/** One request with Node's own client, so header lines arrive exactly as sent. */
export function send(url: string, options: { method?: string; path?: string; headers?: OutgoingHttpHeaders } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${options.path ?? '/'}`, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const lines: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push([(res.rawHeaders[i] as string).toLowerCase(), res.rawHeaders[i + 1] as string]);
        let php: PhpView | undefined;
        try {
          php = (res.headers['content-type'] ?? '').includes('json') ? (JSON.parse(body) as PhpView) : undefined;
        } catch {
          php = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, lines, body, php });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every value of header `name` in the reply, one per line, in order. */
export function all(reply: Reply, name: string): string[] {
  return reply.lines.filter(([n]) => n === name.toLowerCase()).map(([, v]) => v);
}

/** Every value of request header `name` PHP received, in order. */
export function phpHeader(reply: Reply, name: string): string[] {
  const raw = reply.php?.rawHeaders ?? [];
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === name.toLowerCase()) out.push(raw[i + 1] as string);
  return out;
}
