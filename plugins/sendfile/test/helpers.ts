import { request, type IncomingMessage } from 'node:http';

// The server and the raw request are testkit's, shared with the other middleware plugins' tests.
export { requestRaw as fetchRaw, serveMiddleware as serve, type InnerHandler as Php, type MiddlewareServer as TestServer, type RawResponse } from '@rr/testkit';

/** Opens a request and hands back the live response. */
export function open(port: number, path = '/'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}
