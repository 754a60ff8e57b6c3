/**
 * In-test OTLP/gRPC collectors on port 0 (@grpc/grpc-js serving TraceService/Export, and a bare node:http2
 * one); the OTLP/HTTP collector lives in @rr/testkit. All record every export with its headers and decoded spans.
 */
import { createServer as createHttp2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Server, ServerCredentials, status as grpcStatus, type Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { decodeTraceRequest, encodeTraceResponse, otlpRecorder as recorder, TRACE_SERVICE_EXPORT_PATH, type Collector } from '@rr/testkit';

export { startOtlpHttpCollector as startHttpCollector, type Collector, type CollectedExport } from '@rr/testkit';

/** An OTLP/gRPC collector (plaintext) serving opentelemetry.proto.collector.trace.v1.TraceService/Export. */
export async function startGrpcCollector(): Promise<Collector> {
  const rec = recorder();
  const server = new Server();
  const identity = (b: Buffer) => b;
  server.addService(
    {
      Export: {
        path: TRACE_SERVICE_EXPORT_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
        originalName: 'export',
      },
    },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        try {
          rec.record({ path: TRACE_SERVICE_EXPORT_PATH, headers: metadataHeaders(call.metadata), spans: decodeTraceRequest(call.request) });
          callback(null, Buffer.from(encodeTraceResponse()));
        } catch (err) {
          callback({ code: grpcStatus.INVALID_ARGUMENT, details: String(err) });
        }
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    port,
    exports: rec.exports,
    spans: rec.spans,
    waitForSpans: rec.waitForSpans,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open client channels would hold a graceful shutdown; the tests are done with them.
        setImmediate(() => server.forceShutdown());
      }),
  };
}

/**
 * An OTLP/gRPC collector on bare node:http2, for what @grpc/grpc-js hides from its handlers: the
 * `grpc-encoding` header and each message's compressed flag. Records `grpc-encoding` and
 * `x-grpc-compressed-flag` (the first message's flag byte) among the headers.
 */
export async function startRawGrpcCollector(): Promise<Collector> {
  const rec = recorder();
  const server = createHttp2Server();
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      const flag = body.readUInt8(0);
      const length = body.readUInt32BE(1);
      const message = body.subarray(5, 5 + length);
      const flat: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':') && value !== undefined) flat[name] = String(value);
      flat['x-grpc-compressed-flag'] = String(flag);
      rec.record({ path: String(headers[':path']), headers: flat, spans: decodeTraceRequest(flag === 1 ? gunzipSync(message) : message) });
      const reply = Buffer.from(encodeTraceResponse());
      const frame = Buffer.alloc(5 + reply.length);
      frame.writeUInt32BE(reply.length, 1);
      reply.copy(frame, 5);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
      stream.end(frame);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    exports: rec.exports,
    spans: rec.spans,
    waitForSpans: rec.waitForSpans,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function metadataHeaders(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata.getMap())) out[name] = Buffer.isBuffer(value) ? value.toString('hex') : String(value);
  return out;
}
