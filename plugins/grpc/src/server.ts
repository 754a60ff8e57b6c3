import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import type { Logger, Tracer, WorkerPool } from '@rr/contracts';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import type { GrpcConfig } from './config.js';
import { grpcErrors } from './errors.js';
import { methodDefinition, serverStreamHandler, unaryHandler, unsupportedHandler, type HandlerDeps } from './handler.js';
import type { GrpcMetrics } from './metrics.js';
import type { LoadedProtos } from './protos.js';

/** TLS material read at init, so a bad file fails the start-up with its config path. */
export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer | undefined;
  clientAuth: NonNullable<GrpcConfig['tls']>['client_auth_type'];
}

/** Reads and checks grpc.tls. @throws RR_ERR_GRPC_TLS_FILE, RR_ERR_GRPC_TLS_INVALID */
export function readTls(tls: NonNullable<GrpcConfig['tls']>): TlsMaterial {
  const read = (key: 'key' | 'cert' | 'root_ca', file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      const path = `grpc.tls.${key}`;
      throw grpcErrors.TLS_FILE(path, file, (err as NodeJS.ErrnoException).code ?? String(err), { plugin: 'grpc', cause: err, details: { path, file } });
    }
  };
  const material: TlsMaterial = {
    key: read('key', tls.key),
    cert: read('cert', tls.cert),
    ca: tls.root_ca === undefined ? undefined : read('root_ca', tls.root_ca),
    // As RoadRunner: client certificates are only considered when a CA to check them is configured.
    clientAuth: tls.root_ca === undefined ? 'no_client_certs' : tls.client_auth_type,
  };
  try {
    createSecureContext({ key: material.key, cert: material.cert, ca: material.ca });
  } catch (err) {
    throw grpcErrors.TLS_INVALID(err instanceof Error ? err.message : String(err), { plugin: 'grpc', cause: err });
  }
  return material;
}

/** grpc-js server options from RoadRunner's keys (0 durations = grpc-js defaults, i.e. unlimited). */
export function serverOptions(config: GrpcConfig): grpc.ServerOptions {
  const options: grpc.ServerOptions = {
    'grpc.max_send_message_length': config.max_send_msg_size,
    'grpc.max_receive_message_length': config.max_recv_msg_size,
    'grpc.max_concurrent_streams': config.max_concurrent_streams,
    'grpc.keepalive_time_ms': config.ping_time,
    'grpc.keepalive_timeout_ms': config.timeout,
  };
  if (config.max_connection_idle > 0) options['grpc.max_connection_idle_ms'] = config.max_connection_idle;
  if (config.max_connection_age > 0) options['grpc.max_connection_age_ms'] = config.max_connection_age;
  if (config.max_connection_age_grace > 0) options['grpc.max_connection_age_grace_ms'] = config.max_connection_age_grace;
  return options;
}

export interface GrpcServerOptions {
  config: GrpcConfig;
  protos: LoadedProtos;
  tls: TlsMaterial | undefined;
  pool: WorkerPool;
  logger: Logger;
  metrics: GrpcMetrics;
  /** The otel plugin's tracer, when tracing. */
  tracer?: Tracer | undefined;
}

/** How often the health service re-reads the pool's readiness (Watch streams see changes this late). */
const HEALTH_POLL_MS = 500;

/**
 * The gRPC listener. rr owns the socket (net or tls) and hands each connection to grpc-js through a
 * connection injector: that gives Go's five client_auth_type policies, which grpc-js credentials
 * cannot express (they only know "no client cert" and "require and verify").
 */
export class GrpcServer {
  readonly #o: GrpcServerOptions;
  readonly #grpc: grpc.Server;
  readonly #health: HealthImplementation;
  readonly #names: string[];
  #listener: NetServer | undefined;
  #poll: NodeJS.Timeout | undefined;
  #serving: ServingStatus | undefined;

  constructor(o: GrpcServerOptions) {
    this.#o = o;
    this.#grpc = new grpc.Server(serverOptions(o.config));
    const deps: HandlerDeps = { pool: () => o.pool, logger: o.logger, metrics: o.metrics, tls: o.tls !== undefined, tracer: o.tracer };
    for (const [name, methods] of o.protos.services) {
      const definition: Record<string, grpc.MethodDefinition<Buffer, Buffer>> = {};
      const implementation: grpc.UntypedServiceImplementation = {};
      for (const m of methods) {
        definition[m.method] = methodDefinition(m);
        implementation[m.method] = m.requestStream ? unsupportedHandler(m) : m.responseStream ? serverStreamHandler(m, deps) : unaryHandler(m, deps);
      }
      this.#grpc.addService(definition, implementation);
      o.logger.debug('grpc service registered', { service: name, methods: methods.map((m) => m.method) });
    }
    this.#names = ['', ...o.protos.services.keys()];
    this.#health = new HealthImplementation(Object.fromEntries(this.#names.map((n) => [n, 'NOT_SERVING' as const])));
    this.#health.addToServer(this.#grpc);
    new ReflectionService(o.protos.definition).addToServer(this.#grpc);
  }

  /** Starts listening; resolves with the bound address (`host:port` or the socket path). */
  async listen(): Promise<string> {
    const injector = this.#grpc.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    const { tls } = this.#o;
    let listener: NetServer;
    if (tls === undefined) {
      listener = createNetServer((socket: Socket) => injector.injectConnection(socket));
    } else {
      const requestCert = tls.clientAuth !== 'no_client_certs';
      listener = createTlsServer(
        { key: tls.key, cert: tls.cert, ca: tls.ca, requestCert, rejectUnauthorized: tls.clientAuth === 'require_and_verify_client_cert', ALPNProtocols: ['h2'] },
        (socket: TLSSocket) => {
          if (!clientAllowed(socket, tls.clientAuth)) {
            this.#o.logger.debug('tls client refused', { reason: tls.clientAuth, error: String(socket.authorizationError ?? 'no certificate') });
            socket.destroy();
            return;
          }
          injector.injectConnection(socket);
        },
      );
      listener.on('tlsClientError', (err) => this.#o.logger.debug('tls handshake failed', { error: err.message }));
    }
    const { listen } = this.#o.config;
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      if (listen.scheme === 'unix') listener.listen(listen.path, resolve);
      else listener.listen({ host: listen.host === '' ? undefined : listen.host, port: listen.port }, resolve);
    }).catch((err: unknown) => {
      throw grpcErrors.LISTEN_FAILED(listen.raw, err instanceof Error ? err.message : String(err), { plugin: 'grpc', cause: err });
    });
    listener.on('error', (err) => this.#o.logger.error('grpc listener error', { error: err.message }));
    this.#listener = listener;
    this.#refreshHealth();
    this.#poll = setInterval(() => this.#refreshHealth(), HEALTH_POLL_MS).unref();
    const address = listener.address();
    if (address === null || typeof address === 'string') return String(address ?? listen.raw);
    const { address: host, port } = address as AddressInfo;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  #setHealth(status: ServingStatus): void {
    if (this.#serving === status) return;
    this.#serving = status;
    for (const name of this.#names) this.#health.setStatus(name, status);
  }

  /** SERVING while the pool can dispatch a call, NOT_SERVING otherwise. */
  #refreshHealth(): void {
    this.#setHealth(this.#o.pool.isReady() ? 'SERVING' : 'NOT_SERVING');
  }

  /** NOT_SERVING, stop accepting connections, let calls finish until `signal`, then cut the rest. */
  async close(signal: AbortSignal): Promise<void> {
    clearInterval(this.#poll);
    this.#setHealth('NOT_SERVING');
    this.#listener?.close();
    await new Promise<void>((resolve) => {
      const force = () => {
        this.#grpc.forceShutdown();
        resolve();
      };
      if (signal.aborted) return force();
      signal.addEventListener('abort', force, { once: true });
      this.#grpc.tryShutdown(() => {
        signal.removeEventListener('abort', force);
        resolve();
      });
    });
  }
}

/** Go's policies that a Node TLS server cannot enforce by itself, checked after the handshake. */
function clientAllowed(socket: TLSSocket, auth: TlsMaterial['clientAuth']): boolean {
  if (auth !== 'require_any_client_cert' && auth !== 'verify_client_cert_if_given') return true;
  const cert = socket.getPeerCertificate();
  const given = cert !== null && Object.keys(cert).length > 0;
  if (auth === 'require_any_client_cert') return given;
  return !given || socket.authorized;
}
