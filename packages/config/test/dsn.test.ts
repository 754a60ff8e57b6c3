import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { dsn, type Dsn } from '../src/index.js';
import { check } from './helpers.js';

describe('dsn()', () => {
  it.each<[string, Dsn]>([
    ['tcp://127.0.0.1:6001', { scheme: 'tcp', host: '127.0.0.1', port: 6001, raw: 'tcp://127.0.0.1:6001' }],
    ['tcp://:6001', { scheme: 'tcp', host: '', port: 6001, raw: 'tcp://:6001' }],
    ['tcp://localhost:0', { scheme: 'tcp', host: 'localhost', port: 0, raw: 'tcp://localhost:0' }],
    ['tcp://[::1]:6001', { scheme: 'tcp', host: '::1', port: 6001, raw: 'tcp://[::1]:6001' }],
    ['unix:///tmp/rr.sock', { scheme: 'unix', path: '/tmp/rr.sock', raw: 'unix:///tmp/rr.sock' }],
    ['unix://rr.sock', { scheme: 'unix', path: 'rr.sock', raw: 'unix://rr.sock' }],
    ['pipes', { scheme: 'pipes', raw: 'pipes' }],
  ])('parses %j', (input, expected) => {
    expect(check(dsn(), input)).toEqual({ value: expected });
  });

  it.each([
    ['127.0.0.1:6001', "invalid DSN '127.0.0.1:6001' (tcp://:6001, unix://file.sock, pipes)"],
    ['tcp://127.0.0.1', "invalid DSN 'tcp://127.0.0.1': expected tcp://host:port (tcp://:6001, unix://file.sock, pipes)"],
    ['tcp://host:port', "invalid DSN 'tcp://host:port': expected tcp://host:port (tcp://:6001, unix://file.sock, pipes)"],
    ['tcp://::1:6001', "invalid DSN 'tcp://::1:6001': expected tcp://host:port (tcp://:6001, unix://file.sock, pipes)"],
    ['tcp://a:70000', "invalid DSN 'tcp://a:70000': port must be 0-65535 (tcp://:6001, unix://file.sock, pipes)"],
    ['tcp://a:1/path', "invalid DSN 'tcp://a:1/path': expected tcp://host:port (tcp://:6001, unix://file.sock, pipes)"],
    ['unix://', "invalid DSN 'unix://': the socket path is empty (tcp://:6001, unix://file.sock, pipes)"],
    ['udp://:1', "invalid DSN 'udp://:1': unknown scheme \"udp\" (tcp://:6001, unix://file.sock, pipes)"],
    ['tcp://a://b', "invalid DSN 'tcp://a://b' (tcp://:6001, unix://file.sock, pipes)"],
    ['PIPES', "invalid DSN 'PIPES' (tcp://:6001, unix://file.sock, pipes)"],
  ])('rejects %j with RR_ERR_CONFIG_INVALID_FORMAT', (input, message) => {
    expect(check(dsn(), input)).toEqual({ issues: [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_FORMAT', message }] });
  });

  it('rejects a scheme outside allow, naming only the allowed forms', () => {
    expect(check(dsn({ allow: ['tcp', 'unix'] }), 'pipes')).toEqual({
      issues: [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_FORMAT', message: "invalid DSN 'pipes': pipes is not allowed here (tcp://:6001, unix://file.sock)" }],
    });
    expect(check(dsn({ allow: ['tcp'] }), 'unix:///x.sock')).toMatchObject({ issues: [{ code: 'RR_ERR_CONFIG_INVALID_FORMAT' }] });
  });

  it('rejects a non-string with RR_ERR_CONFIG_INVALID_TYPE', () => {
    expect(check(dsn(), 6001)).toEqual({ issues: [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_TYPE', message: 'expected a DSN string (tcp://:6001, unix://file.sock, pipes), received number' }] });
  });

  it('narrows the output type to the allowed schemes', () => {
    const listen = dsn({ allow: ['tcp', 'unix'] });
    expectTypeOf<z.output<typeof listen>>().toEqualTypeOf<Extract<Dsn, { scheme: 'tcp' | 'unix' }>>();
    expect(listen.parse('tcp://:1').scheme).toBe('tcp');
  });
});
