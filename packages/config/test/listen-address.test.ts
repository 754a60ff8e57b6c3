import { describe, expect, it } from 'vitest';
import { formatAddress, parseListenAddress } from '../src/index.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    [':8080', { host: undefined, port: 8080 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:2114', { host: '::1', port: 2114 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
  ])('reads %s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each([
    ['8080', 'has no port'],
    ['127.0.0.1:99999', 'invalid port'],
    ['127.0.0.1:http', 'invalid port'],
    ['[::1:80', 'unterminated IPv6 bracket'],
    ['::1:80', 'IPv6 hosts in brackets'],
    ['a b:80', 'invalid host'],
  ])('explains what is wrong with %s', (text, reason) => {
    expect(parseListenAddress(text)).toEqual(expect.stringContaining(reason));
  });

  it('formats IPv6 hosts in brackets for logs', () => {
    expect(formatAddress('::1', 80)).toBe('[::1]:80');
    expect(formatAddress('127.0.0.1', 80)).toBe('127.0.0.1:80');
  });
});
