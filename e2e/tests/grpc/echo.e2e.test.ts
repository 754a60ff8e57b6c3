import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterEach, describe, expect, it } from 'vitest';
import { phpSdk } from '../../helpers/paths.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';

const proto = `${phpSdk}/examples/grpc/echo.proto`;

let rr: RrProcess | undefined;
const clients: grpc.Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await rr?.stop();
  rr = undefined;
});

type Unary<Req, Res> = (req: Req, metadata: grpc.Metadata, callback: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;
interface EchoClient extends grpc.Client {
  Say: Unary<{ text: string }, { text: string }>;
  Fail: Unary<{ code: number; message: string; plain?: boolean }, { text: string }>;
  Count(req: { n: number; delay_ms?: number }): grpc.ClientReadableStream<{ i: number }>;
}

async function startGrpc(): Promise<EchoClient> {
  rr = await startRr({
    config: `version: "3"
server:
  command: "php ${phpSdk}/examples/grpc-worker.php"
rpc:
  listen: tcp://127.0.0.1:0
grpc:
  listen: tcp://127.0.0.1:0
  proto: ["${proto}"]
  pool:
    num_workers: 2
logs:
  mode: production
  level: info
`,
  });
  const line = await rr.waitForLog((l) => l.msg === 'grpc server listening');
  const definition = protoLoader.loadSync(proto, { keepCase: true });
  const Echo = (grpc.loadPackageDefinition(definition).test as grpc.GrpcObject).Echo as grpc.ServiceClientConstructor;
  const client = new Echo(String(line.address).replace(/^tcp:\/\//, ''), grpc.credentials.createInsecure()) as unknown as EchoClient;
  clients.push(client);
  return client;
}

describe('grpc: a grpc-js client calling a PHP service through the built rr', () => {
  it('unary with metadata in, headers and trailers out', async () => {
    const client = await startGrpc();
    const metadata = new grpc.Metadata();
    metadata.set('x-echo', 'ping');
    let headers: grpc.Metadata | undefined;
    let trailers: grpc.Metadata | undefined;
    const reply = await new Promise<{ text: string }>((resolve, reject) => {
      const call = client.Say({ text: 'rr' }, metadata, (err, res) => (err ? reject(err) : resolve(res as { text: string })));
      call.on('metadata', (m) => (headers = m));
      call.on('status', (s) => (trailers = s.metadata));
    });
    expect(reply.text).toBe('hello rr');
    expect(headers?.get('x-echo')).toEqual(['ping']);
    await expect.poll(() => trailers?.get('x-said')).toEqual(['rr']);
  });

  it('maps PHP errors to gRPC statuses: codes, messages, and INTERNAL for a plain exception', async () => {
    const client = await startGrpc();
    const fail = (req: { code: number; message: string; plain?: boolean }) =>
      new Promise<grpc.ServiceError>((resolve) => client.Fail(req, new grpc.Metadata(), (err) => resolve(err as grpc.ServiceError)));
    const notFound = await fail({ code: grpc.status.NOT_FOUND, message: 'no such thing' });
    expect(notFound.code).toBe(grpc.status.NOT_FOUND);
    expect(notFound.details).toBe('no such thing');
    const denied = await fail({ code: grpc.status.PERMISSION_DENIED, message: 'go away' });
    expect(denied.code).toBe(grpc.status.PERMISSION_DENIED);
    const plain = await fail({ code: 0, message: 'boom', plain: true });
    expect(plain.code).toBe(grpc.status.INTERNAL);
    // The worker survived every error: the next call is served.
    await new Promise<void>((resolve, reject) => client.Say({ text: 'again' }, new grpc.Metadata(), (err) => (err ? reject(err) : resolve())));
  });

  it('server streaming: every message in order, then the status', async () => {
    const client = await startGrpc();
    const got: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const stream = client.Count({ n: 5, delay_ms: 10 });
      stream.on('data', (m: { i: number }) => got.push(m.i));
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    expect(got).toEqual([1, 2, 3, 4, 5]);
  });
});
