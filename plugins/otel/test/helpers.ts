import { PassThrough } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { OtelTracer } from '../src/runtime.js';

/** A real tracer whose spans are kept in memory (the SDK's own exporter), for propagation and middleware tests. */
export function memoryTracer() {
  const exporter = new InMemorySpanExporter();
  const tracer = new OtelTracer({ exporter, resource: { 'service.name': 'test' } });
  return {
    tracer,
    /** Every span ended so far, once exported. */
    async finished(): Promise<ReadableSpan[]> {
      await tracer.forceFlush();
      return exporter.getFinishedSpans();
    },
    close: () => tracer.shutdown(),
  };
}

/** A stream that collects what is written, split into lines. */
export function lineSink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return {
    stream,
    lines: () => text.split('\n').filter((l) => l !== ''),
  };
}

export const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;
