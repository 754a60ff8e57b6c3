/**
 * An in-test OTLP/HTTP trace collector on port 0: records every export request with its headers and
 * its spans, decoded from protobuf or OTLP/JSON (gzipped or not). Used by the otel plugin's tests and
 * by e2e, where rr (protobuf) and PHP workers (JSON) export to the same collector.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeTraceHttpBody, encodeTraceResponse, type OtlpSpan } from './otlp-decoder.js';

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

export function otlpRecorder() {
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
export async function startOtlpHttpCollector(options: { status?: number } = {}): Promise<Collector> {
  const rec = otlpRecorder();
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

