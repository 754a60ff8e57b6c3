import { describe, expect, it } from 'vitest';
import { firstListed, forwardedFor, parseAddress, parseSubnet } from '../src/index.js';

describe('parseAddress', () => {
  it.each([
    ['8.8.8.8', '8.8.8.8'],
    [' 8.8.8.8 ', '8.8.8.8'],
    ['8.8.8.8:443', '8.8.8.8'],
    ['"8.8.8.8"', '8.8.8.8'],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:4711', '2001:db8::1'],
    ['"[2001:db8:cafe::17]:4711', '2001:db8:cafe::17'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ])('reads %j as %j', (raw, expected) => {
    expect(parseAddress(raw)).toBe(expected);
  });

  it.each(['', 'unknown', '_hidden', 'example.com', '8.8.8.8:port', '256.1.1.1', '[8.8.8.8]', '[2001:db8::1', '[2001:db8::1]x', '8.8.8.8, 8.8.4.4'])('refuses %j', (raw) => {
    expect(parseAddress(raw)).toBeUndefined();
  });

  it('reads Forwarded and address lists', () => {
    expect(forwardedFor('for=192.0.2.60;proto=http;by=203.0.113.43')).toBe('192.0.2.60');
    expect(forwardedFor('by=203.0.113.43')).toBeUndefined();
    expect(firstListed('8.8.8.8,8.8.4.4')).toBe('8.8.8.8');
  });
});

describe('parseSubnet', () => {
  it.each(['10.0.0.0/8', '127.0.0.1/32', '::1/128', 'fc00::/7', '0.0.0.0/0'])('accepts %s', (cidr) => {
    expect(parseSubnet(cidr).ok).toBe(true);
  });
  it.each(['10.0.0.0', '10.0.0.0/33', '::1/129', 'host/8', '10.0.0.0/x', '/8'])('refuses %s', (cidr) => {
    expect(parseSubnet(cidr).ok).toBe(false);
  });
});
