import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Plugin } from '@rr/kernel';
import { startTestKernel, type TestKernel } from '@rr/testkit';
import { grpcPlugin } from '../../src/index.js';
import { ECHO_PROTO, testServerPlugin } from './server-plugin.js';

/** A kernel running the grpc plugin over one real PHP worker (php-sdk/examples/grpc-worker.php). */
export interface RunningGrpc extends TestKernel {
  /** `127.0.0.1:<port>` */
  address: string;
}

/** Boots the grpc plugin over `command` (the php-sdk's example worker by default), plus `extra` plugins. */
export async function startGrpc(config: Record<string, unknown> = {}, extra: Plugin[] = [], command?: readonly string[]): Promise<RunningGrpc> {
  const { pool, ...rest } = config;
  const t = await startTestKernel({
    plugins: [testServerPlugin(command), grpcPlugin, ...extra],
    config: { grpc: { listen: 'tcp://127.0.0.1:0', proto: ECHO_PROTO, ...rest, pool: { num_workers: 1, ...(pool as object) } } },
  });
  const line = t.logger.find('grpc server listening')[0];
  return { ...t, address: String(line?.fields['address']) };
}

const require = createRequire(import.meta.url);

/** A method of a client made from a loaded proto. */
export type AnyMethod = (...args: unknown[]) => unknown;
/** A client made from a loaded proto: its methods by name. */
export type DynClient = grpc.Client & Record<string, AnyMethod>;

type Ctor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;
const load = (file: string, includeDirs: string[] = []) =>
  grpc.loadPackageDefinition(protoLoader.loadSync(file, { keepCase: true, longs: Number, enums: String, defaults: true, includeDirs }));

/** The grpc-js client of test.Echo (messages decoded by proto-loader, as any application would). */
export function echoClient(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ChannelOptions = {}): DynClient {
  const Echo = (load(ECHO_PROTO)['test'] as Record<string, Ctor>)['Echo'] as Ctor;
  return new Echo(address, credentials, options) as DynClient;
}

export function healthClient(address: string): DynClient {
  const { protoPath } = require('grpc-health-check') as { protoPath: string };
  const pkg = load(protoPath) as unknown as { grpc: { health: { v1: { Health: Ctor } } } };
  return new pkg.grpc.health.v1.Health(address, grpc.credentials.createInsecure()) as DynClient;
}

export function reflectionClient(address: string): DynClient {
  const file = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const pkg = load(file) as unknown as { grpc: { reflection: { v1: { ServerReflection: Ctor } } } };
  return new pkg.grpc.reflection.v1.ServerReflection(address, grpc.credentials.createInsecure()) as DynClient;
}

/** A unary call as a promise, with the response headers and the trailers. */
export function unary<T>(client: DynClient, method: string, request: object, metadata = new grpc.Metadata(), options: grpc.CallOptions = {}) {
  return new Promise<{ reply: T; headers: grpc.Metadata; trailers: grpc.Metadata }>((resolve, reject) => {
    let headers = new grpc.Metadata();
    let trailers = new grpc.Metadata();
    const call = (client[method] as AnyMethod).call(client, request, metadata, options, (err: grpc.ServiceError | null, reply: T) =>
      err ? reject(err) : setImmediate(() => resolve({ reply, headers, trailers })),
    ) as grpc.ClientUnaryCall;
    call.on('metadata', (md: grpc.Metadata) => (headers = md));
    call.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
  });
}

/** Generated PKI for the TLS tests: a CA, a server cert for 127.0.0.1, a CA-signed and a rogue client cert. */
export interface Pki {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueCert: string;
  rogueKey: string;
  read(file: string): Buffer;
  cleanup(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'rr-grpc-pki-'));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const subj = (cn: string) => ['-subj', `/CN=${cn}`];
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', ...subj('rr test ca'));
  const leaf = (name: string, ext: string) => {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), ...subj(name));
    writeFileSync(f(`${name}.ext`), ext);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`));
  };
  leaf('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('rogue.key'), '-out', f('rogue.crt'), '-days', '2', ...subj('rogue'), '-addext', 'extendedKeyUsage=clientAuth');
  return {
    dir,
    ca: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    rogueCert: f('rogue.crt'),
    rogueKey: f('rogue.key'),
    read: (file) => readFileSync(file),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
