import { describe, expect, it } from 'vitest';
import { classifyRequestPath, percentDecode } from '../src/request-path.js';

describe('classifyRequestPath', () => {
  it.each([
    ['/a/b.css', 'a/b.css', '.css'],
    ['/a/B.CSS?x=1', 'a/B.CSS', '.css'],
    ['//a/./b.js', 'a/b.js', '.js'],
    ['/%252e%252e/x.txt', '%2e%2e/x.txt', '.txt'],
    ['/caf%C3%A9.txt', 'café.txt', '.txt'],
    ['/a..b.css', 'a..b.css', '.css'],
    ['/.well-known/security.txt', '.well-known/security.txt', '.txt'],
    ['http://example.com/x.png', 'x.png', '.png'],
  ])('%s → candidate %s (%s)', (url, relative, ext) => {
    expect(classifyRequestPath(url)).toEqual({ kind: 'candidate', relative, ext });
  });

  it.each(['/..', '/../a.css', '/a/%2E%2E/b.css', '/a/..%2f..%2fb.css', '/..\\a.css', '/%2e%2e%5ca.css'])('%s → traversal', (url) => {
    expect(classifyRequestPath(url)).toEqual({ kind: 'traversal' });
  });

  it.each([
    ['/', 'no extension'],
    ['/a/b', 'no extension'],
    ['/a.css/', 'no extension'],
    ['/a.d/b', 'no extension'],
    ['/.env', 'no extension'],
    ['/.git/x.txt', 'dotfile'],
    ['/a\\b.css', 'backslash'],
    ['/a%00.css', 'control character'],
    ['/a%0a.css', 'control character'],
    ['/a%zz.css', 'malformed percent-encoding'],
    ['/a%2.css', 'malformed percent-encoding'],
    ['/a%ff.css', 'not UTF-8'],
    ['*', 'not a path'],
  ])('%s → pass (%s)', (url, reason) => {
    expect(classifyRequestPath(url)).toEqual({ kind: 'pass', reason });
  });

  it('decodes percent escapes once into bytes and keeps `+`', () => {
    expect(percentDecode('/a+b%20c%2Fd')?.toString()).toBe('/a+b c/d');
    expect(percentDecode('/%')).toBeUndefined();
  });
});
