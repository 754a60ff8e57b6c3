import { tracerRef, type Tracer } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, recordingTracer, startTestKernel, testTracerPlugin } from '../src/index.js';

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;

describe('parseTraceparent', () => {
  it.each([
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true }],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false }],
    // A later version may append fields.
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true }],
  ])('reads %s', (value, expected) => {
    expect(parseTraceparent(value)).toEqual(expected);
    expect(parseTraceparent([value, 'ignored'])).toEqual(expected);
  });

  it.each([
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    'garbage',
  ])('refuses %s', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('refuses nothing at all', () => {
    expect(parseTraceparent(undefined)).toBeUndefined();
    expect(parseTraceparent([])).toBeUndefined();
  });
});

describe('recordingTracer', () => {
  it('starts a new trace with random ids and records the span', () => {
    const tracer = recordingTracer();
    const span = tracer.startSpan('work', { kind: 'server', attributes: { 'rr.plugin': 'test', skipped: undefined, n: 3 } });
    expect(span.traceId).toMatch(HEX32);
    expect(span.spanId).toMatch(HEX16);
    const other = tracer.startSpan('other');
    expect(other.traceId).not.toBe(span.traceId);
    const [rec] = tracer.find('work');
    expect(rec).toMatchObject({ name: 'work', kind: 'server', traceId: span.traceId, spanId: span.spanId, parentSpanId: undefined, remoteParent: false, status: 'unset', ended: false });
    expect(rec?.attributes).toEqual({ 'rr.plugin': 'test', n: 3 });
    expect(tracer.find('other')[0]?.kind).toBe('internal');
    expect(tracer.byId(other.spanId)?.name).toBe('other');
  });

  it('links children to a local parent span in the same trace', () => {
    const tracer = recordingTracer();
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan('child', { parent });
    expect(child.traceId).toBe(parent.traceId);
    expect(tracer.byId(child.spanId)).toMatchObject({ parentSpanId: parent.spanId, remoteParent: false });
  });

  it('continues a remote trace from a carrier and keeps its tracestate and baggage', () => {
    const tracer = recordingTracer();
    const remote = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const span = tracer.startSpan('server', { parent: { traceparent: [remote], tracestate: 'rojo=00f067aa0ba902b7', baggage: 'user=42' } });
    expect(span.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(tracer.byId(span.spanId)).toMatchObject({ parentSpanId: '00f067aa0ba902b7', remoteParent: true });
    const carrier: Record<string, string | string[] | undefined> = { traceparent: remote, other: 'kept' };
    span.inject(carrier);
    expect(carrier).toEqual({ traceparent: formatTraceparent(span.traceId, span.spanId), tracestate: 'rojo=00f067aa0ba902b7', baggage: 'user=42', other: 'kept' });
    expect(parseTraceparent(carrier['traceparent'] as string)).toEqual({ traceId: span.traceId, spanId: span.spanId, sampled: true });
    // A child of a local span inherits the remote state too.
    const child = tracer.startSpan('child', { parent: span });
    const next: Record<string, string> = {};
    child.inject(next);
    expect(next['tracestate']).toBe('rojo=00f067aa0ba902b7');
  });

  it('starts a new trace when the carrier holds no valid traceparent (case matters: names are lower-case)', () => {
    const tracer = recordingTracer();
    const a = tracer.startSpan('a', { parent: { traceparent: 'nonsense' } });
    const b = tracer.startSpan('b', { parent: { Traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });
    expect(tracer.byId(a.spanId)).toMatchObject({ parentSpanId: undefined, remoteParent: false });
    expect(b.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('records status, exceptions and the end once; ignores changes after the end', () => {
    const tracer = recordingTracer();
    const span = tracer.startSpan('x');
    const err = new Error('boom');
    span.setAttributes({ a: 1 });
    span.fail('it broke', err);
    span.end();
    const rec = tracer.byId(span.spanId);
    const endTime = rec?.endTime;
    span.end();
    span.setAttributes({ b: 2 });
    span.fail('later');
    expect(rec).toMatchObject({ status: 'error', statusMessage: 'it broke', exceptions: [err], attributes: { a: 1 }, ended: true, endTime });
    expect(rec?.endTime).toBeGreaterThanOrEqual(rec?.startTime ?? Infinity);
  });

  it('waitForEnded resolves on end() and times out otherwise', async () => {
    const tracer = recordingTracer();
    const span = tracer.startSpan('late');
    const waiting = tracer.waitForEnded(1, (s) => s.name === 'late');
    setImmediate(() => span.end());
    expect((await waiting).map((s) => s.spanId)).toEqual([span.spanId]);
    expect(await tracer.waitForEnded(1)).toHaveLength(1);
    await expect(tracer.waitForEnded(2, undefined, 20)).rejects.toThrow(/2 ended span/);
    tracer.clear();
    expect(tracer.spans).toEqual([]);
  });

  it('is provided as tracerRef by testTracerPlugin to plugins booted on the real kernel', async () => {
    const tracer = recordingTracer();
    let seen: Tracer | undefined;
    const user = definePlugin({
      id: 'user',
      kernel: '^1.0.0',
      optional: { tracer: tracerRef },
      init: ({ optional }) => {
        seen = optional.tracer;
        optional.tracer?.startSpan('init').end();
        return {};
      },
    });
    const t = await startTestKernel({ plugins: [testTracerPlugin(tracer), user] });
    try {
      expect(seen).toBe(tracer);
      expect(tracer.find('init')[0]?.ended).toBe(true);
    } finally {
      await t.stop();
    }
  });
});
