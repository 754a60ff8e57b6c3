/**
 * In-test OTLP collectors on port 0: an OTLP/HTTP one (node:http) and an OTLP/gRPC one (@grpc/grpc-js
 * serving TraceService/Export). Both record every export with its headers and decoded spans.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createHttp2Server, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Server, ServerCredentials, status as grpcStatus, type Metadata, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import { decodeTraceHttpBody, decodeTraceRequest, encodeTraceResponse, TRACE_SERVICE_EXPORT_PATH, type OtlpSpan } from './otlp-decoder.js';

/** One export request as the collector received it. */
export interface CollectedExport {
  path: string;
  /** HTTP headers, or gRPC metadata flattened to strings; names lower-case. */
  headers: Record<string, string>;
  spans: OtlpSpan[];
}

export interface Collector {
  /** http: `http://127.0.0.1:<port>`; grpc: `127.0.0.1:<port>`. */
  address: string;
  port: number;
  exports: CollectedExport[];
  spans(): OtlpSpan[];
  /** Resolves once at least `count` spans arrived (rejects after `timeoutMs`). */
  waitForSpans(count: number, timeoutMs?: number): Promise<OtlpSpan[]>;
  close(): Promise<void>;
}

function recorder() {
  const events = new EventEmitter();
  const exports: CollectedExport[] = [];
  const spans = () => exports.flatMap((e) => e.spans);
  return {
    exports,
    spans,
    record(entry: CollectedExport) {
      exports.push(entry);
      events.emit('export');
    },
    waitForSpans(count: number, timeoutMs = 10_000): Promise<OtlpSpan[]> {
      if (spans().length >= count) return Promise.resolve(spans());
      return new Promise((resolve, reject) => {
        const onExport = () => {
          if (spans().length < count) return;
          clearTimeout(timer);
          events.off('export', onExport);
          resolve(spans());
        };
        const timer = setTimeout(() => {
          events.off('export', onExport);
          reject(new Error(`collector: ${spans().length} spans after ${timeoutMs} ms, expected ${count}`));
        }, timeoutMs);
        events.on('export', onExport);
      });
    },
  };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** An OTLP/HTTP collector: POST /v1/traces (or any path) with protobuf or JSON, optionally gzipped. */
export async function startHttpCollector(options: { status?: number } = {}): Promise<Collector> {
  const rec = recorder();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const spans = decodeTraceHttpBody(Buffer.concat(chunks), { 'content-type': req.headers['content-type'], 'content-encoding': req.headers['content-encoding'] });
        rec.record({ path: req.url ?? '', headers: flatHeaders(req.headers), spans });
      } catch (err) {
        res.writeHead(400).end(String(err));
        return;
      }
      const json = (req.headers['content-type'] ?? '').includes('json');
      res.writeHead(options.status ?? 200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : Buffer.from(encodeTraceResponse()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    port,
    exports: rec.exports,
    spans: rec.spans,
    waitForSpans: rec.waitForSpans,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

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
