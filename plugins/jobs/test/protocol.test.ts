import { describe, expect, it } from 'vitest';
import { parseResponse } from '../src/protocol.js';

const parse = (value: unknown) => parseResponse(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('worker response (PROTOCOL §6.2)', () => {
  it.each([
    ['empty body', '', { kind: 'ack' }],
    ['type 0 with PHP\'s [] data', { type: 0, data: [] }, { kind: 'ack' }],
    ['type 2', { type: 2, data: [] }, { kind: 'ack' }],
    ['type 1 without requeue', { type: 1, data: { message: 'm', requeue: false, delay_seconds: 0 } }, { kind: 'error', message: 'm' }],
    ['type 1 with requeue', { type: 1, data: { message: 'm', requeue: true, delay_seconds: 3, headers: { a: ['1'], b: 'x' } } }, { kind: 'requeue', message: 'm', delaySeconds: 3, headers: { a: ['1'], b: ['x'] } }],
    ['type 3', { type: 3, data: { message: 'n', requeue: true, delay_seconds: 2 } }, { kind: 'nack', message: 'n', requeue: true, delaySeconds: 2 }],
    ['type 3 with [] data', { type: 3, data: [] }, { kind: 'nack', message: '', requeue: false, delaySeconds: 0 }],
    ['type 4 without headers', { type: 4, data: { message: 'r', delay_seconds: -5 } }, { kind: 'requeue', message: 'r', delaySeconds: 0, headers: {} }],
    ['an unknown type', { type: 42 }, { kind: 'unknown', type: 42 }],
  ])('%s', (_, body, verdict) => {
    expect(parse(body)).toEqual(verdict);
  });

  it.each([['not json', 'oops'], ['a JSON array', [1]], ['no type', { data: [] }]])('%s is malformed', (_, body) => {
    expect(parse(body).kind).toBe('malformed');
  });
});
