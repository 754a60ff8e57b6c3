import { constants as h2constants, type ClientHttp2Session } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { isRrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPlugin } from '../src/index.js';
import { tlsHost } from '../src/redirect.js';
import { HttpServer } from '../src/server.js';
import { loadTls } from '../src/tls.js';
import { h2connect, h2send, multipart, send } from './helpers/client.js';
import { makePki, type TestPki } from './helpers/certs.js';
import { php, testServerPlugin } from './helpers/server-plugin.js';
import { startHttp, type RunningHttp } from './helpers/start.js';

let pki: TestPki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.remove());

interface Echo {
  remoteAddr: string;
  protocol: string;
  uri: string;
  headers: Record<string, string[]>;
  cookies: Record<string, string>;
  uploads: Record<string, { name: string; size: number; error: number }> | null;
  parsedBody: Record<string, unknown> | null;
}

/** One HTTPS request over HTTP/1.1 (node:https), trusting the test CA, with an optional client certificate. */
function httpsSend(url: string, options: { cert?: string; key?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { agent: false, ca: pki.read(pki.caCert), cert: options.cert && pki.read(options.cert), key: options.key && pki.read(options.key) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS, HTTP/2 over TLS and h2c', () => {
  let rr: RunningHttp;
  const sessions: ClientHttp2Session[] = [];
  const connect = async (url: string) => {
    const session = await h2connect(url, { ca: pki.read(pki.caCert) });
    sessions.push(session);
    return session;
  };
  beforeAll(async () => {
    rr = await startHttp({
      worker: 'http-worker.php',
      http: {
        ssl: { address: '127.0.0.1:0', cert: pki.serverCert, key: pki.serverKey },
        http2: { h2c: true, max_concurrent_streams: 8 },
        max_request_size: '64K',
      },
    });
  });
  afterAll(async () => {
    for (const s of sessions) s.destroy();
    await rr?.stop();
  });

  it('serves HTTPS over HTTP/1.1 with the https scheme in the request uri', async () => {
    const res = await httpsSend(`${rr.tlsUrl}/echo?a=1`);
    const echo = JSON.parse(res.text) as Echo;
    expect(echo).toMatchObject({ protocol: 'HTTP/1.1', uri: `https://127.0.0.1:${rr.tlsPort}/echo?a=1`, remoteAddr: '127.0.0.1' });
    expect(rr.logger.find('https server listening', 'info')).toHaveLength(1);
  });

  it('negotiates HTTP/2 over TLS (ALPN h2) with the configured stream limit', async () => {
    const session = await connect(rr.tlsUrl);
    expect((session.socket as unknown as { alpnProtocol: string }).alpnProtocol).toBe('h2');
    if (session.remoteSettings.maxConcurrentStreams !== 8) await new Promise((r) => session.once('remoteSettings', r));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(8);
    const res = await h2send(session, '/echo?x=1', { headers: { 'x-custom': 'v', cookie: ['a=1', 'b=2'] } });
    const echo = JSON.parse(res.text) as Echo;
    expect(echo).toMatchObject({ protocol: 'HTTP/2.0', uri: `https://127.0.0.1:${rr.tlsPort}/echo?x=1`, remoteAddr: '127.0.0.1' });
    expect(echo.headers['X-Custom']).toEqual(['v']);
    // No pseudo-headers (Go's handlers never see them); split cookies joined back, as Go does.
    expect(Object.keys(echo.headers).filter((h) => h.startsWith(':'))).toEqual([]);
    expect(echo.headers['Cookie']).toEqual(['a=1; b=2']);
    expect(echo.cookies).toEqual({ a: '1', b: '2' });
    const cookies = await h2send(session, '/cookies');
    expect(cookies.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly', 'c=3']);
  });

  it('serves h2c (prior knowledge) and HTTP/1.1 on the plain listener', async () => {
    const session = await connect(rr.url);
    const echo = JSON.parse((await h2send(session, '/echo')).text) as Echo;
    expect(echo).toMatchObject({ protocol: 'HTTP/2.0', uri: `http://127.0.0.1:${rr.port}/echo` });
    const plain = await send(`${rr.url}/echo`);
    expect((JSON.parse(plain.text) as Echo).protocol).toBe('HTTP/1.1');
    // Several streams at once on one connection.
    const texts = await Promise.all(Array.from({ length: 6 }, () => h2send(session, '/hello').then((r) => r.text)));
    expect(texts).toEqual(Array(6).fill('hello'));
  });

  it('streams responses, trailers and 103 Early Hints over HTTP/2', async () => {
    const session = await connect(rr.tlsUrl);
    const streamed = await h2send(session, '/stream?n=3&delay=20');
    expect(streamed.status).toBe(200);
    expect(streamed.headers['x-stream']).toBe('yes');
    expect(streamed.text).toBe('chunk 0\nchunk 1\nchunk 2\nend\n');
    const trailer = await h2send(session, '/trailer', { headers: { te: 'trailers' } });
    expect(trailer.text).toBe('body');
    expect(trailer.trailers['x-checksum']).toBe('abc123');
    const hints = await h2send(session, '/hints');
    expect(hints.informational).toEqual([expect.objectContaining({ ':status': 103, link: '</style.css>; rel=preload; as=style' })]);
    expect(hints.status).toBe(200);
    expect(hints.text).toBe('after hints');
  });

  it('stops the worker stream when an HTTP/2 client resets the stream', async () => {
    const session = await connect(rr.url);
    const stoppedBefore = rr.logger.find(/stream stopped after \d+ chunks/).length;
    await new Promise<void>((resolve) => {
      const stream = session.request({ ':path': '/endless' });
      let seen = 0;
      stream.on('data', () => {
        if (++seen === 2) {
          stream.close(h2constants.NGHTTP2_CANCEL);
          resolve();
        }
      });
      stream.on('error', () => undefined);
    });
    await expect.poll(() => rr.logger.find(/stream stopped after \d+ chunks/).length, { timeout: 5_000 }).toBe(stoppedBefore + 1);
    // The connection's other streams are unaffected.
    expect((await h2send(session, '/hello')).text).toBe('hello');
  });

  it('takes uploads over HTTP/2 and refuses bodies over max_request_size with 413, keeping the connection', async () => {
    const session = await connect(rr.tlsUrl);
    const form = multipart([
      { name: 'title', value: 'h2' },
      { name: 'file', filename: 'a.txt', type: 'text/plain', content: 'hello upload' },
    ]);
    const res = await h2send(session, '/echo', { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
    const echo = JSON.parse(res.text) as Echo;
    expect(echo.parsedBody).toEqual({ title: 'h2' });
    expect(echo.uploads?.['file']).toMatchObject({ name: 'a.txt', size: 12, error: 0 });
    // Content-Length over the limit, and a body without length that grows past it.
    const declared = await h2send(session, '/echo', { method: 'POST', headers: { 'content-length': String(200 * 1024) }, body: Buffer.alloc(200 * 1024) });
    expect(declared.status).toBe(413);
    const streamed = await h2send(session, '/echo', { method: 'POST', body: Buffer.alloc(200 * 1024, 'x') });
    expect(streamed.status).toBe(413);
    expect((await h2send(session, '/hello')).text).toBe('hello');
  });
});

describe('TLS only, with client certificates (mTLS)', () => {
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({
      worker: 'http-worker.php',
      http: {
        address: undefined,
        ssl: { address: '127.0.0.1:0', cert: pki.serverCert, key: pki.serverKey, root_ca: pki.caCert, client_auth_type: 'require_and_verify_client_cert' },
      },
    });
  });
  afterAll(() => rr?.stop());

  it('runs with no plain listener', () => {
    expect(rr.url).toBe('');
    expect(rr.logger.find('http server listening')).toEqual([]);
  });

  it('accepts a client with a certificate from root_ca', async () => {
    const res = await httpsSend(`${rr.tlsUrl}/hello`, { cert: pki.clientCert, key: pki.clientKey });
    expect(res).toEqual({ status: 200, text: 'hello' });
    const session = await h2connect(rr.tlsUrl, { ca: pki.read(pki.caCert), cert: pki.read(pki.clientCert), key: pki.read(pki.clientKey) });
    expect((await h2send(session, '/hello')).text).toBe('hello');
    session.destroy();
  });

  it('refuses a client without a certificate, or with one root_ca did not sign', async () => {
    await expect(httpsSend(`${rr.tlsUrl}/hello`)).rejects.toThrow();
    await expect(httpsSend(`${rr.tlsUrl}/hello`, { cert: pki.strangerCert, key: pki.strangerKey })).rejects.toThrow();
  });
});

describe('http → https redirect', () => {
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({ worker: 'http-worker.php', http: { ssl: { address: '127.0.0.1:0', redirect: true, cert: pki.serverCert, key: pki.serverKey } } });
  });
  afterAll(() => rr?.stop());

  it('answers the plain listener with 308 to the TLS port, path and query kept, with HSTS', async () => {
    const res = await send(`${rr.url}/some/path?q=1&b=%20`, { headers: { host: `localhost:${rr.port}` } });
    expect(res.status).toBe(308);
    const location = `https://localhost:${rr.tlsPort}/some/path?q=1&b=%20`;
    expect(res.headers['location']).toBe(location);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains; preload');
    expect(res.text).toBe(`<a href="${location.replace('&', '&amp;')}">Permanent Redirect</a>.\n\n`);
    const post = await send(`${rr.url}/form`, { method: 'POST', body: 'x=1' });
    expect(post.status).toBe(308);
    expect(post.text).toBe('');
    // Where the redirect points, PHP answers.
    expect((await httpsSend(location.replace('localhost', '127.0.0.1').replace('/some/path?q=1&b=%20', '/hello'))).text).toBe('hello');
  });
});

describe('redirect target host (RoadRunner TLSAddr)', () => {
  it.each([
    ['example.com:8080', 443, 'example.com'],
    ['example.com:8080', 8443, 'example.com:8443'],
    ['example.com', 443, 'example.com'],
    ['[::1]:8080', 443, '[::1]'],
    ['[::1]:8080', 8443, '[::1]:8443'],
    ['[::1]', 443, '[::1]'],
  ] as const)('%s with TLS port %d → %s', (host, port, expected) => {
    expect(tlsHost(host, port)).toBe(expected);
  });
});

describe('TLS config errors and client certificate policies', () => {
  it('fails init with RR_ERR_HTTP_TLS_FILE for a missing file and RR_ERR_HTTP_TLS_INVALID for a key that is not the pair of cert', async () => {
    const boot = (ssl: Record<string, unknown>) =>
      startTestKernel({ plugins: [testServerPlugin(php('http-worker.php')), httpPlugin], config: { http: { address: '127.0.0.1:0', ssl } } }).catch((e: unknown) => e);
    const missing = await boot({ cert: `${pki.dir}/nope.crt`, key: pki.serverKey });
    expect(isRrError(missing, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect((missing as Error).cause).toMatchObject({ code: 'RR_ERR_HTTP_TLS_FILE' });
    const mismatched = await boot({ cert: pki.serverCert, key: pki.clientKey });
    expect((mismatched as Error).cause).toMatchObject({ code: 'RR_ERR_HTTP_TLS_INVALID' });
  });

  // The policies without PHP: a TLS listener whose handler answers "ok", and a TLS client that
  // reports whether a request got through.
  const policies: [string, { none: boolean; trusted: boolean; stranger: boolean }][] = [
    ['no_client_certs', { none: true, trusted: true, stranger: true }],
    ['request_client_cert', { none: true, trusted: true, stranger: true }],
    ['require_any_client_cert', { none: false, trusted: true, stranger: true }],
    ['verify_client_cert_if_given', { none: true, trusted: true, stranger: false }],
    ['require_and_verify_client_cert', { none: false, trusted: true, stranger: false }],
  ];
  it.each(policies)('%s', async (policy, expected) => {
    const tls = loadTls({
      address: '127.0.0.1:0',
      redirect: false,
      cert: pki.serverCert,
      key: pki.serverKey,
      root_ca: pki.caCert,
      client_auth_type: policy as 'no_client_certs',
    });
    const server = new HttpServer({ address: '127.0.0.1:0', bodyLimit: 1024, tls, handle: (_req, res) => res.end('ok') });
    const port = Number((await server.listen()).split(':').pop());
    const through = (cert?: string, key?: string) =>
      new Promise<boolean>((resolve) => {
        const socket = tlsConnect({ port, host: '127.0.0.1', ca: pki.read(pki.caCert), cert: cert && pki.read(cert), key: key && pki.read(key), ALPNProtocols: ['http/1.1'] });
        let answer = '';
        socket.on('secureConnect', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
        socket.on('data', (c: Buffer) => (answer += c.toString()));
        socket.on('close', () => resolve(answer.endsWith('ok')));
        socket.on('error', () => undefined);
      });
    try {
      expect({
        none: await through(),
        trusted: await through(pki.clientCert, pki.clientKey),
        stranger: await through(pki.strangerCert, pki.strangerKey),
      }).toEqual(expected);
    } finally {
      await server.close();
    }
  });
});

describe('stopping with HTTP/2 connections open', () => {
  it('lets an in-flight HTTP/2 request finish and closes idle sessions without waiting for their timeout', async () => {
    const rr = await startHttp({ worker: 'http-worker.php', http: { ssl: { address: '127.0.0.1:0', cert: pki.serverCert, key: pki.serverKey }, http2: { h2c: true } } });
    const idleTls = await h2connect(rr.tlsUrl, { ca: pki.read(pki.caCert) });
    const idleH2c = await h2connect(rr.url);
    const busy = await h2connect(rr.url);
    const slow = h2send(busy, '/slow?ms=300');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await rr.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await slow).text).toBe('slow done');
    for (const s of [idleTls, idleH2c, busy]) {
      expect(s.closed || s.destroyed).toBe(true);
      s.destroy();
    }
  });
});
