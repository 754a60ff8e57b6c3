import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@rr/contracts';
import { metricsErrors } from './errors.js';
import type { MetricsRegistry } from './registry.js';

/** Splits `host:port` (`[::1]:2112`, `:2112`); an empty host means every interface. */
export function parseAddress(address: string): { host: string | undefined; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? undefined : host, port: Number(address.slice(i + 1)) };
}

/** The exposition server: every path and method answers with the text format, as RoadRunner's handler does. */
export class MetricsServer {
  #server: Server | undefined;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly log: Logger,
  ) {}

  /** Listens; resolves with the bound `host:port` (port 0 reports the real port). */
  async listen(address: string): Promise<string> {
    const { host, port } = parseAddress(address);
    const server = createServer((req, res) => {
      this.metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.metrics.contentType });
          res.end(text);
        },
        (err: unknown) => {
          this.log.error('metrics scrape failed', { error: err instanceof Error ? err.message : String(err) });
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('metrics scrape failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(metricsErrors.LISTEN_FAILED(address, err.message, { cause: err })));
      server.listen(port, host, () => resolve());
    });
    this.#server = server;
    const bound = server.address() as AddressInfo;
    return `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  }

  /** Stops listening and drops every connection; safe when never listening. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
