import { createServer } from 'node:net';

/**
 * A port that was free a moment ago. Only for addresses rr must hand to PHP before it listens (rpc.listen
 * goes into RR_RPC when workers spawn); everything else listens on port 0 and reports its real address.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
