import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { freePort } from '../../helpers/ports.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';

let rr: RrProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const worker = `${repoRoot}/e2e/workers/faults.php`;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-edge-'));
  dirs.push(dir);
  return dir;
}

/** A raw HTTP/1.1 GET with the path exactly as written (clients would normalise `..` and `%2e`). */
function rawGet(address: string, path: string): Promise<{ status: number; body: string }> {
  const [host, port] = address.replace('http://', '').split(':');
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(port), host as string, () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let data = '';
    socket.setEncoding('latin1').on('data', (d: string) => (data += d));
    socket.on('error', reject);
    socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
  });
}

/** Decodes an HTTP/1.1 chunked body. */
function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

describe('http edge: static files, CORS and gzip in front of PHP', () => {
  it('serves static files with ETag/304 and refuses every traversal attempt', async () => {
    const dir = tempDir();
    const pub = join(dir, 'public');
    mkdirSync(pub);
    writeFileSync(join(pub, 'app.css'), 'body { color: red }\n');
    writeFileSync(join(dir, 'secret.txt'), 'TOP SECRET');
    symlinkSync(join(dir, 'secret.txt'), join(pub, 'link.txt'));
    rr = await startRr({
      env: { RR_PHP_SDK: phpSdk },
      config: httpConfig(worker, {
        extra: '',
        pool: `  middleware: ["static"]\n  static:\n    dir: "${pub}"\n    calculate_etag: true\n`,
      }),
    });
    const url = String(rr.httpUrl);
    const first = await fetch(`${url}/app.css`);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('body { color: red }\n');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"\d+-\d+"$/);
    expect((await fetch(`${url}/app.css`, { headers: { 'If-None-Match': String(etag) } })).status).toBe(304);
    // Anything static does not serve falls through to PHP.
    expect(await (await fetch(`${url}/request`)).json()).toMatchObject({ method: 'GET', uri: expect.stringContaining('/request') });
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%5csecret.txt', '/%252e%252e/secret.txt', '/app.css%00.txt', '/link.txt']) {
      const res = await rawGet(url, path);
      expect(res.body, path).not.toContain('TOP SECRET');
    }
  });

  it('answers a CORS preflight without PHP and compresses large responses', async () => {
    rr = await startRr({
      env: { RR_PHP_SDK: phpSdk },
      config: httpConfig(worker, {
        pool: `  middleware: ["headers", "gzip"]\n  headers:\n    cors:\n      allowed_origin_regex: "^https://([a-z]+\\\\.)?example\\\\.com$"\n      allowed_methods: "GET,POST,PUT"\n      allowed_headers: "Content-Type,X-Token"\n      max_age: 600\n    response:\n      X-Served-By: "rr"\n`,
      }),
    });
    const url = String(rr.httpUrl);
    const preflight = await fetch(`${url}/request`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'X-Token' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    const refused = await fetch(`${url}/request`, { method: 'OPTIONS', headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'PUT' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();

    // A 64 KiB body from PHP, asked for gzip: compressed on the wire, identical once decoded.
    const res = await new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const [host, port] = url.replace('http://', '').split(':');
      const socket = netConnect(Number(port), host as string, () =>
        socket.write(`GET /big?bytes=65536 HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`),
      );
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', reject);
      socket.on('end', () => {
        const raw = Buffer.concat(chunks);
        const split = raw.indexOf('\r\n\r\n');
        const head = raw.subarray(0, split).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of head.slice(1)) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
        resolve({ headers, body: raw.subarray(split + 4) });
      });
    });
    expect(res.headers['x-served-by']).toBe('rr');
    expect(res.headers['content-encoding']).toBe('gzip');
    const decoded = gunzipSync(res.headers['transfer-encoding'] === 'chunked' ? dechunk(res.body) : res.body).toString();
    expect(decoded.length).toBeGreaterThan(60_000);
    expect(decoded.startsWith('compressible line of text\n')).toBe(true);
  });
});

describe('http edge: TLS and HTTP/2', () => {
  it('serves HTTPS and HTTP/2 over TLS, and h2c on the plain listener', async () => {
    const dir = tempDir();
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const tlsPort = await freePort();
    rr = await startRr({
      env: { RR_PHP_SDK: phpSdk },
      config: httpConfig(worker, { pool: `  ssl:\n    address: 127.0.0.1:${tlsPort}\n    cert: "${cert}"\n    key: "${key}"\n  http2:\n    h2c: true\n` }),
    });
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: tlsPort, path: '/request', ca: [execFileSync('cat', [cert])] }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toMatchObject({ uri: expect.stringMatching(/^https:\/\//) });

    const h2 = async (authority: string, options: object) => {
      const session = http2Connect(authority, options);
      try {
        return await new Promise<{ status: number; text: string }>((resolve, reject) => {
          const stream = session.request({ ':path': '/request' });
          let status = 0;
          let text = '';
          stream.on('response', (h) => (status = Number(h[':status'])));
          stream.setEncoding('utf8').on('data', (d: string) => (text += d));
          stream.on('end', () => resolve({ status, text }));
          stream.on('error', reject);
          stream.end();
        });
      } finally {
        session.close();
      }
    };
    const overTls = await h2(`https://127.0.0.1:${tlsPort}`, { ca: [execFileSync('cat', [cert])] });
    expect(overTls.status).toBe(200);
    expect(JSON.parse(overTls.text)).toMatchObject({ protocol: 'HTTP/2.0', uri: expect.stringMatching(/^https:\/\//) });
    const cleartext = await h2(String(rr.httpUrl), {});
    expect(cleartext.status).toBe(200);
    expect(JSON.parse(cleartext.text)).toMatchObject({ protocol: 'HTTP/2.0' });
  });
});
