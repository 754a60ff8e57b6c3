import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFixture, raw, startStatic, type TestServer } from './helpers.js';

let fx: ReturnType<typeof makeFixture>;
let srv: TestServer;

beforeEach(async () => {
  fx = makeFixture({ 'index.html': '<h1>home</h1>', 'css/site.css': 'body{}', '.env': 'APP_KEY=x', '.git/config.txt': 'x', '.well-known/security.txt': 'Contact: x' });
  // A folder literally named `%2e%2e`: reached only by decoding `%252e%252e` once, and inside dir.
  fx.write('%2e%2e/secret.txt', 'inner');
  fx.link('link-out.txt', join(fx.base, 'secret.txt'));
  fx.link('linkdir', fx.base);
  fx.link('link-in.css', join(fx.dir, 'css/site.css'));
  symlinkSync('..', join(fx.dir, 'css/up'));
  srv = await startStatic(fx.dir);
});

afterEach(async () => {
  await srv.close();
  fx.cleanup();
});

describe('static security: traversal is answered 403 without touching the disk', () => {
  it.each([
    '/../secret.txt',
    '/../missing.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/.%2e/secret.txt',
    '/%2e./secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e%2fsecret.txt',
    '/css/../../secret.txt',
    '/css/%2e%2e/%2e%2e/secret.txt',
    '/..\\secret.txt',
    '/..%5csecret.txt',
    '/%2e%2e%5csecret.txt',
    '/css/..',
    '/..',
    'http://localhost/../secret.txt',
  ])('%s → 403', async (target) => {
    const res = await raw(srv.port, target);
    expect(res.status).toBe(403);
    expect(res.body.toString()).toBe('');
    expect(res.headers['x-php']).toBeUndefined();
  });
});

describe('static security: nothing outside dir is ever served', () => {
  it.each([
    ['double encoding is decoded once: a missing literal name', '/%252e%252e%252fsecret.txt'],
    ['NUL byte before an allowed extension', '/index.html%00.css'],
    ['NUL byte at the end', '/index.html%00'],
    ['a raw-encoded CR/LF', '/index%0d%0a.html'],
    ['backslash inside a name', '/css\\site.css'],
    ['encoded backslash inside a name', '/css%5csite.css'],
    ['symlink to a file outside dir', '/link-out.txt'],
    ['symlinked folder pointing outside dir', '/linkdir/secret.txt'],
    ['symlinked parent inside dir, target outside', '/css/up/secret.txt'],
    ['an absolute path smuggled through %2f', '/%2fetc%2fpasswd.txt'],
    ['a doubled slash', '//secret.txt'],
    ['malformed escape', '/index%zz.html'],
    ['invalid UTF-8', '/index%ff.html'],
    ['dotfile', '/.env'],
    ['file in a dot folder', '/.git/config.txt'],
  ])('%s (%s) falls through to PHP', async (_name, target) => {
    const res = await raw(srv.port, target);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('from php');
    expect(res.headers['x-php']).toBe('1');
  });

  it('serves the literal `%2e%2e` folder inside dir when the client double-encodes', async () => {
    const res = await raw(srv.port, '/%252e%252e/secret.txt');
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('inner');
  });

  it('serves symlinks whose target stays inside dir, and .well-known', async () => {
    expect((await raw(srv.port, '/link-in.css')).body.toString()).toBe('body{}');
    expect((await raw(srv.port, '/.well-known/security.txt')).body.toString()).toBe('Contact: x');
  });

  it('answers a missing file and a file outside dir alike, so existence does not leak', async () => {
    const missing = await raw(srv.port, '/linkdir/nothing-here.txt');
    const present = await raw(srv.port, '/linkdir/secret.txt');
    expect(present.status).toBe(missing.status);
    expect(present.body.toString()).toBe(missing.body.toString());
  });

  it('does not hang on a FIFO named like a file', async () => {
    execFileSync('mkfifo', [join(fx.dir, 'pipe.txt')]);
    mkdirSync(join(fx.dir, 'assets.v1'));
    expect((await raw(srv.port, '/pipe.txt')).body.toString()).toBe('from php');
    expect((await raw(srv.port, '/assets.v1')).body.toString()).toBe('from php');
  });
});
