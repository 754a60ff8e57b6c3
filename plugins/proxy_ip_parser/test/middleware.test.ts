import type { OutgoingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxyIpParserMiddleware, proxyIpParserConfigSchema, type ProxyIpParserConfigInput } from '../src/index.js';
import { ask, serve, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(input: ProxyIpParserConfigInput): Promise<TestServer> {
  server = await serve(createProxyIpParserMiddleware(proxyIpParserConfigSchema.parse(input)));
  return server;
}

const LOOPBACK = { trusted_subnets: ['10.0.0.0/8', '127.0.0.0/8', '::1/128'] };

describe('behind a trusted proxy', () => {
  it.each<[string, OutgoingHttpHeaders, string]>([
    ['X-Real-Ip', { 'X-Real-Ip': '203.0.113.7' }, '203.0.113.7'],
    ['True-Client-IP', { 'True-Client-IP': '203.0.113.8' }, '203.0.113.8'],
    ['CF-Connecting-IP', { 'CF-Connecting-IP': '2001:db8::8' }, '2001:db8::8'],
    ['X-Forwarded-For, one address', { 'X-Forwarded-For': '198.51.100.1' }, '198.51.100.1'],
    ['X-Forwarded-For, the left-most of a list', { 'X-Forwarded-For': '198.51.100.1, 10.0.0.5,10.0.0.6' }, '198.51.100.1'],
    ['X-Forwarded-For, repeated lines', { 'X-Forwarded-For': ['198.51.100.2', '10.0.0.5'] }, '198.51.100.2'],
    ['X-Forwarded-For, IPv4 with a port', { 'X-Forwarded-For': '198.51.100.3:5555' }, '198.51.100.3'],
    ['X-Forwarded-For, bracketed IPv6 with a port', { 'X-Forwarded-For': '[2001:db8:cafe::17]:4711' }, '2001:db8:cafe::17'],
    ['Forwarded for= with other pairs', { Forwarded: 'for=192.0.2.60;proto=http;by=203.0.113.43' }, '192.0.2.60'],
    ['Forwarded, the first of several elements', { Forwarded: 'for=192.0.2.43, for=198.51.100.17' }, '192.0.2.43'],
    ['Forwarded, quoted IPv6 with a port', { Forwarded: 'For="[2001:db8:cafe::17]:4711"' }, '2001:db8:cafe::17'],
    ['Forwarded, an element without for= first', { Forwarded: 'proto=https, for=192.0.2.9' }, '192.0.2.9'],
  ])('takes the client from %s', async (_, headers, expected) => {
    const s = await start(LOOPBACK);
    expect(await ask(s.port, headers)).toMatchObject({ remoteAddr: expected, peer: '::ffff:127.0.0.1' });
  });

  it("follows RoadRunner's header order: Forwarded, X-Forwarded-For, X-Real-Ip, True-Client-Ip, Cf-Connecting-Ip", async () => {
    const s = await start(LOOPBACK);
    const every = { 'Cf-Connecting-Ip': '192.0.2.5', 'True-Client-Ip': '192.0.2.4', 'X-Real-Ip': '192.0.2.3', 'X-Forwarded-For': '192.0.2.2', Forwarded: 'for=192.0.2.1' };
    expect((await ask(s.port, every)).remoteAddr).toBe('192.0.2.1');
    const { Forwarded: _f, ...noForwarded } = every;
    expect((await ask(s.port, noForwarded)).remoteAddr).toBe('192.0.2.2');
    const { 'X-Forwarded-For': _x, ...noXff } = noForwarded;
    expect((await ask(s.port, noXff)).remoteAddr).toBe('192.0.2.3');
    const { 'X-Real-Ip': _r, ...noReal } = noXff;
    expect((await ask(s.port, noReal)).remoteAddr).toBe('192.0.2.4');
  });

  it('ignores invalid addresses and falls through to the next header', async () => {
    const s = await start(LOOPBACK);
    expect((await ask(s.port, { Forwarded: 'for=unknown', 'X-Forwarded-For': 'not-an-ip', 'X-Real-Ip': '192.0.2.33' })).remoteAddr).toBe('192.0.2.33');
    expect((await ask(s.port, { Forwarded: 'for="_hidden"', 'X-Real-Ip': '999.1.1.1', 'True-Client-Ip': 'evil.example' })).remoteAddr).toBeNull();
  });

  it('reads only trusted_headers, in their order, when they are given', async () => {
    const s = await start({ ...LOOPBACK, trusted_headers: ['X-Client-Ip', 'X-Real-Ip'] });
    expect((await ask(s.port, { 'X-Forwarded-For': '192.0.2.1', 'X-Real-Ip': '192.0.2.2', 'X-Client-Ip': '192.0.2.3' })).remoteAddr).toBe('192.0.2.3');
    expect((await ask(s.port, { 'X-Forwarded-For': '192.0.2.1', 'X-Real-Ip': '192.0.2.2' })).remoteAddr).toBe('192.0.2.2');
    expect((await ask(s.port, { 'X-Forwarded-For': '192.0.2.1' })).remoteAddr).toBeNull();
  });

  it('trusts an IPv6 peer by an IPv6 subnet', async () => {
    const s = await start(LOOPBACK);
    expect(await ask(s.port, { 'X-Forwarded-For': '2001:db8::1, ::1' }, { to: '::1' })).toEqual({ remoteAddr: '2001:db8::1', peer: '::1' });
  });
});

describe('an untrusted peer', () => {
  it('has its headers ignored', async () => {
    const s = await start({ trusted_subnets: ['10.0.0.0/8', 'fc00::/7'] });
    const seen = await ask(s.port, { 'X-Forwarded-For': '192.0.2.1', Forwarded: 'for=192.0.2.2', 'X-Real-Ip': '192.0.2.3' });
    expect(seen).toEqual({ remoteAddr: null, peer: '::ffff:127.0.0.1' });
    expect((await ask(s.port, { 'X-Real-Ip': '192.0.2.3' }, { to: '::1' })).remoteAddr).toBeNull();
  });

  it('is told apart from a trusted one by the exact subnet', async () => {
    const s = await start({ trusted_subnets: ['127.0.0.2/32'] });
    expect((await ask(s.port, { 'X-Real-Ip': '192.0.2.3' }, { from: '127.0.0.2' })).remoteAddr).toBe('192.0.2.3');
    expect((await ask(s.port, { 'X-Real-Ip': '192.0.2.3' }, { from: '127.0.0.1' })).remoteAddr).toBeNull();
  });
});

describe('createProxyIpParserMiddleware on an unvalidated config', () => {
  it('throws coded errors for what the schema would have refused', () => {
    expect(() => createProxyIpParserMiddleware({ trusted_subnets: ['10.0.0.0'], trusted_headers: [] })).toThrow(expect.objectContaining({ code: 'RR_ERR_PROXY_IP_PARSER_INVALID_SUBNET' }));
    expect(() => createProxyIpParserMiddleware({ trusted_subnets: ['10.0.0.0/8'], trusted_headers: ['X Bad'] })).toThrow(expect.objectContaining({ code: 'RR_ERR_PROXY_IP_PARSER_INVALID_HEADER' }));
  });
});
