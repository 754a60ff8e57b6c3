import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@rr/contracts';
import { formatAddress, parseListenAddress } from '@rr/config';
import type { CheckKind, StatusChecker } from './checker.js';
import { statusErrors } from './errors.js';

/** RoadRunner's text once Stop began. */
export const SHUTTING_DOWN = 'service is shutting down';

/** The /health and /ready listener (plain node:http: two routes need no framework). */
export class StatusServer {
  readonly #checker: StatusChecker;
  readonly #log: Logger | undefined;
  #server: Server | undefined;
  #shuttingDown = false;

  constructor(checker: StatusChecker, log?: Logger) {
    this.#checker = checker;
    this.#log = log;
  }

  /**
   * Binds `host:port` (port 0 picks one) and resolves with the bound address, `host:port`.
   *
   * @throws RR_ERR_STATUS_LISTEN_FAILED the address is malformed or cannot be bound.
   */
  async listen(address: string): Promise<string> {
    const parsed = parseListenAddress(address);
    if (typeof parsed === 'string') throw statusErrors.LISTEN_FAILED(address, parsed);
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(statusErrors.LISTEN_FAILED(address, err.message, { cause: err })));
      server.listen(parsed.port, parsed.host, () => resolve());
    });
    this.#server = server;
    const bound = server.address() as AddressInfo;
    return formatAddress(parsed.host ?? bound.address, bound.port);
  }

  /** From now on /ready answers unavailable with "service is shutting down", as RoadRunner's Stop. */
  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Sets the shutting-down flag, lets in-flight checks finish and closes the listener. Safe when never listening. */
  async close(): Promise<void> {
    this.beginShutdown();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  /** /jobs: the jobs plugin's pipelines (RoadRunner's JobsReport array); unavailable while shutting down. */
  async #jobs(res: ServerResponse, closing: () => void): Promise<void> {
    closing();
    if (this.#shuttingDown) {
      res.writeHead(this.#checker.unavailableStatusCode, { 'content-type': 'text/plain; charset=utf-8' }).end(SHUTTING_DOWN);
      return;
    }
    try {
      const answer = await this.#checker.jobs();
      if (answer === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('jobs plugin not found\n');
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.results));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#log?.warn('jobs status failed', { error: message });
      res.writeHead(this.#checker.unavailableStatusCode, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A kept-alive connection would hold close() open until the client drops it.
    const closing = () => {
      if (this.#shuttingDown) res.setHeader('connection', 'close');
    };
    const url = new URL(req.url ?? '/', 'http://status');
    if (url.pathname === '/jobs') {
      await this.#jobs(res, closing);
      return;
    }
    const kind: CheckKind | undefined = url.pathname === '/health' ? 'health' : url.pathname === '/ready' ? 'ready' : undefined;
    if (kind === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (this.#shuttingDown && kind === 'ready') {
      closing();
      res.writeHead(this.#checker.unavailableStatusCode, { 'content-type': 'text/plain; charset=utf-8' }).end(SHUTTING_DOWN);
      return;
    }
    try {
      const answer = await this.#checker.check(kind, url.searchParams.getAll('plugin'));
      closing();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.results));
    } catch (err) {
      closing();
      // check() reports source failures in its answer; anything here is a bug, still answered.
      this.#log?.error('status check failed', { check: kind, error: err instanceof Error ? err.message : String(err) });
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal error\n');
    }
  }
}
