import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpMiddlewaresRef } from '@rr/contracts';
import { definePlugin, isRrError, type Plugin } from '@rr/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, send } from './helpers/client.js';
import { fcgi } from '@rr/testkit';

const { AUTHORIZER, FcgiConnection, T, beginRequest, cgiParams, fcgiRequest, pairs, readPairs, record, stream } = fcgi;
import { startHttp, type RunningHttp } from './helpers/start.js';

interface Echo {
  remoteAddr: string;
  protocol: string;
  method: string;
  uri: string;
  headers: Record<string, string[]>;
  query: Record<string, unknown>;
  rawQuery: string;
  parsed: boolean;
  parsedBody: unknown;
  body: string | null;
}

/** Adds a response header and a request header PHP sees: proof that fcgi requests run the chain. */
const marker: Plugin = definePlugin({
  id: 'mw_marker',
  kernel: '^1.0.0',
  provides: { middleware: httpMiddlewaresRef },
  init: () => ({
    provides: {
      middleware: {
        name: 'marker',
        handle: (req, res, next) => {
          res.setHeader('X-Marker', 'chain');
          req.rawHeaders.push('X-Seen-By', `marker ${req.socket.remoteAddress}`);
          next();
        },
      },
    },
  }),
});

/** Whether something accepts connections on 127.0.0.1:port. */
const portState = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', () => resolve('refused'));
  });

const waitClosed = (conn: fcgi.FcgiConnection) => Promise.race([conn.closed.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);

describe('the FastCGI listener beside HTTP', () => {
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({
      worker: 'http-worker.php',
      http: { fcgi: { address: 'tcp://127.0.0.1:0' }, max_request_size: '64K', middleware: ['marker'], access_logs: true, pool: { num_workers: 2 } },
      plugins: [marker],
    });
  });
  afterAll(() => rr?.stop());

  const get = (uri: string, extra: Record<string, string> = {}) => fcgiRequest(rr.fcgiTarget, cgiParams('GET', uri, extra));
  const echo = async (method: string, uri: string, extra: Record<string, string> = {}, body = '') => {
    const res = await fcgiRequest(rr.fcgiTarget, cgiParams(method, uri, extra), body);
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as Echo;
  };

  it("logs 'fcgi listening' with the bound address next to the http listener", () => {
    expect(rr.fcgi).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(rr.url).not.toBe('');
    expect(rr.logger.find('http.fcgi is not supported yet')).toEqual([]);
  });

  it('answers a GET with query, mapping the CGI params to what PHP sees', async () => {
    const e = await echo('GET', '/echo?a=1&b[]=2&b[]=3', { HTTP_X_CUSTOM_HEADER: 'yes', HTTP_ACCEPT_LANGUAGE: 'fr', HTTP_COOKIE: 'sid=abc%20d; theme=dark' });
    expect(e.method).toBe('GET');
    expect(e.uri).toBe('http://example.test/echo?a=1&b[]=2&b[]=3');
    expect(e.rawQuery).toBe('a=1&b[]=2&b[]=3');
    expect(e.query).toEqual({ a: '1', b: ['2', '3'] });
    expect(e.remoteAddr).toBe('203.0.113.9');
    expect(e.protocol).toBe('HTTP/1.1');
    expect(e.headers['X-Custom-Header']).toEqual(['yes']);
    expect(e.headers['Accept-Language']).toEqual(['fr']);
    expect(e.headers['User-Agent']).toEqual(['fcgi-test']);
    expect(e.headers['Host']).toBeUndefined();
    // Empty CONTENT_TYPE / CONTENT_LENGTH (as nginx sends them for a GET) are no headers at all.
    expect(e.headers['Content-Type']).toBeUndefined();
    expect(e.headers['Content-Length']).toBeUndefined();
    expect((e as unknown as { cookies: Record<string, string> }).cookies).toEqual({ sid: 'abc d', theme: 'dark' });
  });

  it('runs the middleware chain and answers with a CGI head', async () => {
    const res = await get('/echo');
    expect(res.headLines[0]).toBe('Status: 200 OK');
    expect(res.headers['x-marker']).toEqual(['chain']);
    expect(res.headers['content-type']).toEqual(['application/json']);
    expect(res.headers['content-length']).toEqual([String(res.body.length)]);
    // Nothing about rr's connection to the web server, and no Date (the web server adds its own).
    for (const name of ['connection', 'transfer-encoding', 'keep-alive', 'date']) expect(res.headers[name]).toBeUndefined();
    expect((JSON.parse(res.text) as Echo).headers['X-Seen-By']).toEqual(['marker 203.0.113.9']);
    expect(res.protocolStatus).toBe(0);
    expect(res.appStatus).toBe(0);
  });

  it('maps HTTPS, SERVER_NAME/PORT, SERVER_PROTOCOL and the SCRIPT_NAME + PATH_INFO + QUERY_STRING fallback', async () => {
    const e2 = await echo('GET', '', { REQUEST_URI: '', SCRIPT_NAME: '/echo', QUERY_STRING: 'x=1', HTTP_HOST: '', SERVER_NAME: 'shop.test', SERVER_PORT: '8443', HTTPS: 'on', SERVER_PROTOCOL: 'HTTP/2.0' });
    expect(e2.uri).toBe('https://shop.test:8443/echo?x=1');
    expect(e2.protocol).toBe('HTTP/2.0');
    expect(e2.rawQuery).toBe('x=1');
    const e3 = await echo('GET', '/echo', { HTTP_HOST: '', SERVER_NAME: 'plain.test', SERVER_PORT: '80' });
    expect(e3.uri).toBe('http://plain.test/echo');
  });

  it('passes PATH_INFO through the fallback URI', async () => {
    const res = await get('', { REQUEST_URI: '', SCRIPT_NAME: '/index.php', PATH_INFO: '/deep/path', QUERY_STRING: '' });
    expect(res.status).toBe(404);
    expect(res.text).toBe('not found: /index.php/deep/path');
  });

  it('POSTs an urlencoded form (parsed) and a JSON body (raw)', async () => {
    const form = 'name=rr&tags[]=a&tags[]=b&nested[k]=v';
    const f = await echo('POST', '/echo', { CONTENT_TYPE: 'application/x-www-form-urlencoded', CONTENT_LENGTH: String(form.length) }, form);
    expect(f.parsed).toBe(true);
    expect(f.parsedBody).toEqual({ name: 'rr', tags: ['a', 'b'], nested: { k: 'v' } });
    expect(f.headers['Content-Type']).toEqual(['application/x-www-form-urlencoded']);

    const json = JSON.stringify({ hello: 'world', n: [1, 2, 3] });
    const j = await echo(
      'POST',
      '/echo',
      // nginx also forwards the client's Content-Type as HTTP_CONTENT_TYPE: one header reaches PHP.
      { CONTENT_TYPE: 'application/json', HTTP_CONTENT_TYPE: 'application/json', CONTENT_LENGTH: String(json.length), HTTP_CONTENT_LENGTH: String(json.length) },
      json,
    );
    expect(j.parsed).toBe(false);
    expect(j.body).toBe(json);
    expect(j.method).toBe('POST');
    expect(j.headers['Content-Type']).toEqual(['application/json']);
    expect(j.headers['Content-Length']).toEqual([String(json.length)]);
  });

  it('accepts a multipart upload (the file reaches PHP as an upload)', async () => {
    const form = multipart([
      { name: 'title', value: 'report' },
      { name: 'doc', filename: 'a.txt', type: 'text/plain', content: 'file contents' },
    ]);
    const res = await fcgiRequest(rr.fcgiTarget, cgiParams('POST', '/echo', { CONTENT_TYPE: form.contentType, CONTENT_LENGTH: String(form.body.length) }), form.body);
    const e = JSON.parse(res.text) as Echo & { uploads: Record<string, { name: string; size: number; error: number }> };
    expect(e.parsedBody).toEqual({ title: 'report' });
    expect(e.uploads['doc']).toMatchObject({ name: 'a.txt', size: 13, error: 0 });
  });

  it('reads a body sent in many STDIN records', async () => {
    const body = 'x'.repeat(60_000);
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    conn.write([
      beginRequest(1),
      stream(T.PARAMS, 1, pairs(cgiParams('PUT', '/echo', { CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: String(body.length) })), 100),
      stream(T.STDIN, 1, body, 7_000),
    ]);
    const res = await conn.response(1);
    conn.close();
    expect((JSON.parse(res.text) as Echo).body).toBe(body);
  });

  it('sends response headers: several lines of one name, status codes and their reasons', async () => {
    const cookies = await get('/cookies');
    expect(cookies.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly', 'c=3']);
    expect(cookies.headers['x-multi']).toEqual(['one', 'two']);
    const created = await get('/status/201');
    expect(created.headLines[0]).toBe('Status: 201 Created');
    expect(created.text).toBe('status body');
    const missing = await get('/nowhere');
    expect(missing.headLines[0]).toBe('Status: 404 Not Found');
    expect(missing.text).toBe('not found: /nowhere');
    const teapot = await get('/status/418');
    expect(teapot.status).toBe(418);
  });

  it('answers internal_error_code when the worker fails', async () => {
    const res = await get('/error');
    expect(res.status).toBe(500);
    expect(res.text).toBe('');
  });

  it('splits a response larger than 64 KiB into STDOUT records of at most 65535 bytes', async () => {
    const res = await get('/big?kb=200');
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(200 * 1024);
    expect(res.text).toBe('0123456789abcdef'.repeat(64 * 200));
    expect(res.stdout.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...res.stdout.map((r) => r.content.length))).toBeLessThanOrEqual(65_535);
    // The stream ends with exactly one empty STDOUT record, right before END_REQUEST.
    expect(res.stdout.filter((r) => r.content.length === 0)).toHaveLength(1);
    expect(res.stdout.at(-1)?.content.length).toBe(0);
  });

  it('flushes a streamed response as STDOUT records while the worker produces it', async () => {
    const res = await get('/stream?n=3&delay=150');
    expect(res.status).toBe(200);
    expect(res.headers['x-stream']).toEqual(['yes']);
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.text).toBe('chunk 0\nchunk 1\nchunk 2\nend\n');
    const first = res.stdout.find((r) => r.content.includes('chunk 0'));
    const last = res.stdout.find((r) => r.content.includes('chunk 2'));
    // chunk 0 left rr well before the worker produced chunk 2.
    expect(last!.at - first!.at).toBeGreaterThan(200);
  });

  it('streams through a client that stops reading for a while (backpressure, no loss)', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    conn.socket.pause();
    conn.write([beginRequest(1), stream(T.PARAMS, 1, pairs(cgiParams('GET', '/stream-big?n=64&kb=256'))), record(T.STDIN, 1)]);
    await new Promise((r) => setTimeout(r, 500));
    conn.socket.resume();
    const res = await conn.response(1);
    conn.close();
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(64 * 256 * 1024);
    expect(res.body.every((b) => b === 0x78)).toBe(true);
  });

  it('answers HEAD without a body and drops 1xx interim heads (CGI has none)', async () => {
    const head = await get('/hello', { REQUEST_METHOD: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toEqual(['5']);
    expect(head.body.length).toBe(0);
    const hints = await get('/hints');
    expect(hints.headLines[0]).toBe('Status: 200 OK');
    expect(hints.headers['x-final']).toEqual(['1']);
    expect(hints.headers['link']).toBeUndefined();
    expect(hints.text).toBe('after hints');
  });

  it('does not stall a connection on a body nobody reads', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    // No CONTENT_LENGTH: the handler does not read STDIN, which fills the request's buffer.
    const first = await conn.request(1, cgiParams('GET', '/hello'), 'z'.repeat(200 * 1024));
    expect(first.text).toBe('hello');
    expect((await conn.request(2, cgiParams('GET', '/status/204'))).status).toBe(204);
    conn.close();
  });

  it('keeps a KEEP_CONN connection for sequential requests, and closes one without it', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    const a = await conn.request(1, cgiParams('GET', '/hello'), '', { keepConn: true });
    const b = await conn.request(1, cgiParams('GET', '/status/202'), '', { keepConn: true });
    expect([a.text, b.status]).toEqual(['hello', 202]);
    expect(conn.isClosed).toBe(false);
    const c = await conn.request(2, cgiParams('GET', '/hello'), '', { keepConn: false });
    expect(c.text).toBe('hello');
    expect(await waitClosed(conn)).toBe(true);
  });

  it('multiplexes requests on one connection (records interleaved, answers in completion order)', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    const slow = pairs(cgiParams('GET', '/slow?ms=400'));
    const fast = pairs(cgiParams('GET', '/hello'));
    const half = Math.floor(slow.length / 2);
    conn.write([
      beginRequest(7, { keepConn: true }),
      beginRequest(9, { keepConn: true }),
      record(T.PARAMS, 7, slow.subarray(0, half)),
      record(T.PARAMS, 9, fast),
      record(T.PARAMS, 7, slow.subarray(half)),
      record(T.PARAMS, 9),
      record(T.PARAMS, 7),
      record(T.STDIN, 9),
      record(T.STDIN, 7),
    ]);
    const [r7, r9] = await Promise.all([conn.response(7), conn.response(9)]);
    conn.close();
    expect(r7.text).toBe('slow done');
    expect(r9.text).toBe('hello');
    expect(r9.ended.at).toBeLessThan(r7.ended.at);
  });

  it('stops the request on ABORT_REQUEST (the worker stream is stopped) and keeps the connection', async () => {
    const stoppedBefore = rr.logger.find(/stream stopped after \d+ chunks/).length;
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    conn.write([beginRequest(3, { keepConn: true }), stream(T.PARAMS, 3, pairs(cgiParams('GET', '/endless'))), record(T.STDIN, 3)]);
    await conn.waitFor((r) => r.type === T.STDOUT && r.id === 3 && r.content.includes('tick 1'));
    const from = conn.records.length;
    conn.write(record(T.ABORT_REQUEST, 3));
    const ended = await conn.waitFor((r) => r.type === T.END_REQUEST && r.id === 3, from);
    expect(ended.content[4]).toBe(0);
    await expect.poll(() => rr.logger.find(/stream stopped after \d+ chunks/).length, { timeout: 5_000 }).toBe(stoppedBefore + 1);
    // No more output for the aborted request once it ended, and the connection still serves.
    const after = conn.records.length;
    const next = await conn.request(4, cgiParams('GET', '/hello'));
    expect(next.text).toBe('hello');
    expect(conn.records.slice(after).filter((r) => r.id === 3)).toEqual([]);
    conn.close();
  });

  it('aborts a request still queued or in params without a response', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    conn.write([beginRequest(5, { keepConn: true }), record(T.PARAMS, 5, pairs({ REQUEST_METHOD: 'GET' })), record(T.ABORT_REQUEST, 5)]);
    const ended = await conn.waitFor((r) => r.type === T.END_REQUEST && r.id === 5);
    expect(conn.records.filter((r) => r.type === T.STDOUT)).toEqual([]);
    expect(ended.content[4]).toBe(0);
    // Records of the ended request are ignored; the id can be used again.
    conn.write(record(T.STDIN, 5, 'late'));
    expect((await conn.request(5, cgiParams('GET', '/hello'))).text).toBe('hello');
    conn.close();
  });

  it('answers FCGI_GET_VALUES with the values it knows', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    conn.write(record(T.GET_VALUES, 0, pairs({ FCGI_MAX_CONNS: '', FCGI_MAX_REQS: '', FCGI_MPXS_CONNS: '', FCGI_SOMETHING_ELSE: '' })));
    const result = await conn.waitFor((r) => r.type === T.GET_VALUES_RESULT);
    conn.close();
    expect(result.id).toBe(0);
    expect(Object.fromEntries(readPairs(result.content))).toEqual({ FCGI_MAX_CONNS: '10000', FCGI_MAX_REQS: '10000', FCGI_MPXS_CONNS: '1' });
  });

  it('ends a request of another role with FCGI_UNKNOWN_ROLE, and answers unknown record types', async () => {
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    conn.write(beginRequest(1, { role: AUTHORIZER, keepConn: true }));
    const ended = await conn.waitFor((r) => r.type === T.END_REQUEST && r.id === 1);
    expect(ended.content[4]).toBe(3);
    conn.write(record(99, 0, Buffer.alloc(8)));
    const unknown = await conn.waitFor((r) => r.type === T.UNKNOWN_TYPE);
    expect(unknown.id).toBe(0);
    expect(unknown.content[0]).toBe(99);
    expect((await conn.request(2, cgiParams('GET', '/hello'))).text).toBe('hello');
    conn.close();
  });

  it('answers 400 to a method that is not an HTTP token', async () => {
    const res = await get('/hello', { REQUEST_METHOD: 'GE T' });
    expect(res.status).toBe(400);
  });

  it('closes only the connection that sends a malformed record, with a coded error', async () => {
    const bystander = await FcgiConnection.open(rr.fcgiTarget);
    const bad = await FcgiConnection.open(rr.fcgiTarget);
    bad.write(record(T.BEGIN_REQUEST, 1, Buffer.alloc(8), { version: 2 }));
    expect(await waitClosed(bad)).toBe(true);
    const bad2 = await FcgiConnection.open(rr.fcgiTarget);
    bad2.write([beginRequest(1), record(T.STDIN, 1, 'body before params')]);
    expect(await waitClosed(bad2)).toBe(true);
    const bad3 = await FcgiConnection.open(rr.fcgiTarget);
    // A name-value pair whose length runs past the end of the stream.
    bad3.write([beginRequest(1), record(T.PARAMS, 1, Buffer.from([0x05, 0x7f, 0x41])), record(T.PARAMS, 1)]);
    expect(await waitClosed(bad3)).toBe(true);
    const codes = rr.logger.find('fcgi connection closed on an error', 'error').map((e) => e.fields['code']);
    expect(codes.slice(-3)).toEqual(['RR_ERR_HTTP_FCGI_PROTOCOL', 'RR_ERR_HTTP_FCGI_PROTOCOL', 'RR_ERR_HTTP_FCGI_PROTOCOL']);
    expect((await bystander.request(1, cgiParams('GET', '/hello'))).text).toBe('hello');
    bystander.close();
  });

  it('closes a connection whose params exceed 1 MiB, and keeps serving others', async () => {
    const bystander = await FcgiConnection.open(rr.fcgiTarget);
    const greedy = await FcgiConnection.open(rr.fcgiTarget);
    const big = pairs({ HTTP_X_HUGE: 'h'.repeat(1024 * 1024 + 10) });
    greedy.write([beginRequest(1), stream(T.PARAMS, 1, big)]);
    expect(await waitClosed(greedy)).toBe(true);
    expect(rr.logger.find('fcgi connection closed on an error', 'error').at(-1)?.fields).toMatchObject({ code: 'RR_ERR_HTTP_FCGI_PARAMS_TOO_LARGE' });
    expect((await bystander.request(1, cgiParams('GET', '/hello'))).text).toBe('hello');
    bystander.close();
  });

  it('answers 413 past max_request_size (by CONTENT_LENGTH, and by the bytes sent)', async () => {
    const body = 'y'.repeat(70 * 1024);
    const declared = await fcgiRequest(rr.fcgiTarget, cgiParams('POST', '/echo', { CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: String(body.length) }), body);
    expect(declared.status).toBe(413);
    const lying = await fcgiRequest(rr.fcgiTarget, cgiParams('POST', '/echo', { CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '10' }), body);
    expect(lying.status).toBe(413);
    expect(lying.headers['connection']).toBeUndefined();
    // The connection of a 413 stays usable with KEEP_CONN (the rest of the body is ignored).
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    const first = await conn.request(1, cgiParams('POST', '/echo', { CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: String(body.length) }), body);
    expect(first.status).toBe(413);
    expect((await conn.request(2, cgiParams('GET', '/hello'))).text).toBe('hello');
    conn.close();
  });

  it('logs access and counts requests as for HTTP', async () => {
    await get('/status/203');
    const line = rr.logger.find('http access log').find((l) => l.fields['status'] === 203);
    expect(line?.fields).toMatchObject({ method: 'GET', uri: '/status/203', remote_addr: '203.0.113.9', host: 'example.test', user_agent: 'fcgi-test' });
  });

  it('still serves plain HTTP on the same pool', async () => {
    expect((await send(`${rr.url}/hello`)).text).toBe('hello');
    // A middleware that set a header before PHP answered does not collapse PHP's repeated lines.
    const cookies = await send(`${rr.url}/cookies`);
    expect(cookies.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly', 'c=3']);
    expect(cookies.headers['x-marker']).toBe('chain');
  });
});

describe('FastCGI as the only frontend, on a unix socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rr-fcgi-'));
  const path = join(dir, 'rr.sock');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves without http.address, and removes the socket file on stop', async () => {
    const rr = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: `unix://${path}` } } });
    try {
      expect(rr.url).toBe('');
      expect(rr.fcgi).toBe(`unix://${path}`);
      expect(rr.kernel.report().find((r) => r.id === 'http')?.state).not.toBe('disabled');
      expect(statSync(path).isSocket()).toBe(true);
      const res = await fcgiRequest({ path }, cgiParams('GET', '/echo?via=unix'));
      expect((JSON.parse(res.text) as Echo).uri).toBe('http://example.test/echo?via=unix');
    } finally {
      await rr.stop();
    }
    expect(existsSync(path)).toBe(false);
  });

  it("replaces a stale socket file (nginx's unix:/path spelling)", async () => {
    // A socket file whose process died: a child listening on it, killed without cleanup.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`]);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(path).isSocket()).toBe(true);
    const rr = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: `unix:${path}` } } });
    try {
      expect((await fcgiRequest({ path }, cgiParams('GET', '/hello'))).text).toBe('hello');
    } finally {
      await rr.stop();
    }
  });

  it('refuses a socket another process listens on, and a path that is not a socket', async () => {
    const live = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: `unix://${path}` } } });
    try {
      const err = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: `unix://${path}` } } }).catch((e: unknown) => e);
      expect(isRrError(err, 'RR_ERR_KERNEL_SERVE_FAILED')).toBe(true);
      expect((err as Error).cause).toMatchObject({ code: 'RR_ERR_HTTP_LISTEN_FAILED' });
      // The live listener's socket survived the attempt.
      expect((await fcgiRequest({ path }, cgiParams('GET', '/hello'))).text).toBe('hello');
    } finally {
      await live.stop();
    }
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'not a socket');
    const err = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: `unix://${file}` } } }).catch((e: unknown) => e);
    expect((err as Error).cause).toMatchObject({ code: 'RR_ERR_HTTP_LISTEN_FAILED', message: expect.stringContaining('is not a socket') });
    expect(existsSync(file)).toBe(true);
  });
});

describe('FastCGI listener lifecycle', () => {
  it('drains requests in flight on stop, answers 503 to requests begun meanwhile, then refuses connections', async () => {
    const rr = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: '127.0.0.1:0' } } });
    const port = (rr.fcgiTarget as { port: number }).port;
    const conn = await FcgiConnection.open(rr.fcgiTarget);
    const slow = conn.request(1, cgiParams('GET', '/slow?ms=1500'));
    await new Promise((r) => setTimeout(r, 100));
    const stopped = rr.stop();
    // Once the listener no longer accepts, it is draining.
    await expect.poll(() => portState(port)).toBe('refused');
    const late = await conn.request(2, cgiParams('GET', '/hello'));
    expect(late.status).toBe(503);
    expect((await slow).text).toBe('slow done');
    await stopped;
    expect(await waitClosed(conn)).toBe(true);
  });

  it('cuts the connection when the worker fails mid-stream and it was the only request on it', async () => {
    const rr = await startHttp({ worker: 'raw-special.php', http: { address: undefined, fcgi: { address: 'tcp://127.0.0.1:0' } } });
    try {
      const conn = await FcgiConnection.open(rr.fcgiTarget);
      conn.write([beginRequest(1, { keepConn: true }), stream(T.PARAMS, 1, pairs(cgiParams('GET', '/stream-error'))), record(T.STDIN, 1)]);
      expect(await waitClosed(conn)).toBe(true);
      // Whatever output got out before the error, the stream never ends properly: the web server
      // sees its upstream close early and fails the response, as an HTTP client sees a cut connection.
      expect(conn.records.some((r) => r.type === T.STDOUT && r.content.length === 0)).toBe(false);
      expect(conn.records.some((r) => r.type === T.END_REQUEST)).toBe(false);
      expect(rr.logger.find('response aborted', 'error').at(-1)?.fields).toMatchObject({ uri: '/stream-error' });
    } finally {
      await rr.stop();
    }
  });

  it('ends only the failed request (STDERR, appStatus 1) when others share the connection', async () => {
    const rr = await startHttp({ worker: 'raw-special.php', http: { address: undefined, fcgi: { address: 'tcp://127.0.0.1:0' }, pool: { num_workers: 2 } } });
    try {
      const conn = await FcgiConnection.open(rr.fcgiTarget);
      const [steady, failing] = await Promise.all([conn.request(1, cgiParams('GET', '/stream-empty-first')), conn.request(2, cgiParams('GET', '/stream-error'))]);
      expect(failing.appStatus).toBe(1);
      expect(failing.stderr).toContain('aborted');
      expect(steady.appStatus).toBe(0);
      expect(steady.text).toBe('data: 1\n\n');
      expect(conn.isClosed).toBe(false);
      conn.close();
    } finally {
      await rr.stop();
    }
  });
});

// scripts/setup.sh installs libfcgi-bin, so the reference client always runs.
describe('with libfcgi’s cgi-fcgi', () => {
  it('serves a request from the reference client', async () => {
    const rr = await startHttp({ worker: 'http-worker.php', http: { address: undefined, fcgi: { address: '127.0.0.1:0' } } });
    try {
      const child = spawn('cgi-fcgi', ['-bind', '-connect', rr.fcgi], {
        // cgi-fcgi sends its environment as the CGI params, and stdin (here empty) as STDIN.
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', REQUEST_METHOD: 'GET', REQUEST_URI: '/echo?from=cgi-fcgi', SERVER_PROTOCOL: 'HTTP/1.1', HTTP_HOST: 'cgi.test', REMOTE_ADDR: '198.51.100.1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      const code = await new Promise((resolve) => child.once('close', resolve));
      expect(code).toBe(0);
      const out = Buffer.concat(chunks).toString();
      expect(out).toMatch(/^Status: 200 OK\r\n/);
      const e = JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)) as Echo;
      expect(e.uri).toBe('http://cgi.test/echo?from=cgi-fcgi');
      expect(e.remoteAddr).toBe('198.51.100.1');
    } finally {
      await rr.stop();
    }
  });
});
