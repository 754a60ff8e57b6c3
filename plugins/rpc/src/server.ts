import type { Logger, RpcEndpoint, Tracer } from '@rr/contracts';
import type { Dsn } from '@rr/config';
import { RpcServer } from '@rr/goridge';
import { rpcErrors, rpcWarnings } from './errors.js';
import { tracedEndpoint } from './tracing.js';

/** The endpoints of every plugin on one goridge RPC server. */
export class RpcHost {
  readonly #server = new RpcServer();
  readonly #log: Logger;
  readonly namespaces: readonly string[];

  /**
   * Registers every endpoint; nothing listens yet. With a `tracer`, every method call is a SERVER span
   * named as the wire method (`kv.Set`).
   *
   * @throws RR_ERR_RPC_DUPLICATE_NAMESPACE two endpoints share a namespace.
   */
  constructor(endpoints: readonly RpcEndpoint[], log: Logger, tracer?: Tracer) {
    this.#log = log;
    const seen = new Set<string>();
    for (const endpoint of endpoints) {
      if (seen.has(endpoint.namespace)) throw rpcErrors.DUPLICATE_NAMESPACE(endpoint.namespace);
      seen.add(endpoint.namespace);
    }
    // goridge hands handlers an RpcRequest, a superset of the contracts' RpcCall.
    for (const endpoint of endpoints) this.#server.register(tracer === undefined ? endpoint : tracedEndpoint(endpoint, tracer));
    this.namespaces = [...seen];
    // A broken connection is closed by the server; the others carry on.
    this.#server.on('error', (error) => this.#log.warn('rpc connection closed on error', { error }));
  }

  /**
   * Listens; resolves with the address actually bound (port 0 resolved).
   *
   * @throws RR_ERR_RPC_LISTEN_FAILED (rejection)
   */
  async listen(listen: Dsn): Promise<string> {
    if (listen.scheme === 'tcp' && !isLoopback(listen.host)) {
      this.#log.warn('rpc listens on a non-loopback address: anyone who can reach it controls rr', {
        code: rpcWarnings.NOT_LOOPBACK,
        listen: listen.raw,
        hint: listen.host === '' ? 'an empty host means every interface; write tcp://127.0.0.1:<port> to keep rpc local' : 'bind 127.0.0.1 unless remote control is intended',
      });
    }
    try {
      return await this.#server.listen(listen.raw);
    } catch (err) {
      // goridge's error already says "cannot listen on …"; keep only the underlying reason in ours.
      const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw rpcErrors.LISTEN_FAILED(listen.raw, reason, { cause: err });
    }
  }

  /** Stops listening and closes every connection. Safe when listen never ran. */
  close(): Promise<void> {
    return this.#server.close();
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
