import { request, type IncomingMessage } from 'node:http';

// The server and the raw request are testkit's, shared with the other middleware plugins' tests.
export { requestRaw as fetchRaw, serveMiddleware as serve, type InnerHandler as Php, type MiddlewareServer as TestServer, type RawResponse } from '@rr/testkit';

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
