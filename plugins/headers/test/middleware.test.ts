import type { IncomingMessage, ServerResponse } from 'node:http';
import { recordingLogger } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHeadersMiddleware, headersConfigSchema, type HeadersConfigInput } from '../src/index.js';
import { all, phpHeader, send, serve, writeHeadFlat, type PhpAnswer, type TestServer } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(input: HeadersConfigInput, answer?: PhpAnswer): Promise<TestServer> {
  server = await serve(createHeadersMiddleware(headersConfigSchema.parse(input)), answer);
  return server;
}

describe('request and response headers', () => {
  it('adds request headers after the client’s own, where PHP reads them', async () => {
    const s = await start({ request: { 'X-Env': 'prod', 'X-Tag': 2 } });
    const reply = await send(s.url, { headers: { 'X-Tag': 'client' } });
    expect(phpHeader(reply, 'x-env')).toEqual(['prod']);
    expect(phpHeader(reply, 'x-tag')).toEqual(['client', '2']);
    expect(reply.php?.headers['x-tag']).toBe('client, 2');
  });

  it('adds response headers to every response and keeps PHP’s own values of the same name after them', async () => {
    const s = await start({ response: { 'X-Powered-By': 'RoadRunner', 'X-Frame-Options': 'DENY' } }, writeHeadFlat(['X-Powered-By', 'PHP/8.3', 'X-App', 'yes']));
    const reply = await send(s.url);
    expect(reply.status).toBe(200);
    expect(all(reply, 'x-powered-by')).toEqual(['RoadRunner', 'PHP/8.3']);
    expect(all(reply, 'x-frame-options')).toEqual(['DENY']);
    expect(all(reply, 'x-app')).toEqual(['yes']);
    expect(all(reply, 'content-type')).toEqual(['application/json']);
  });

  it('does not repeat a value PHP sent too', async () => {
    const s = await start({ response: { 'X-Frame-Options': 'DENY' } }, writeHeadFlat(['X-Frame-Options', 'DENY']));
    expect(all(await send(s.url), 'x-frame-options')).toEqual(['DENY']);
  });

  it('adds them when PHP uses setHeader and an implicit head, or writeHead with an object and a reason', async () => {
    let s = await start({ response: { 'X-Powered-By': 'RoadRunner' } }, (_req, res, body) => {
      res.setHeader('X-Powered-By', 'PHP');
      res.statusCode = 201;
      res.end(body);
    });
    let reply = await send(s.url);
    expect(reply.status).toBe(201);
    expect(all(reply, 'x-powered-by')).toEqual(['RoadRunner', 'PHP']);
    await s.close();

    s = await start({ response: { 'X-Powered-By': 'RoadRunner' } }, (_req, res, body) => {
      res.writeHead(202, 'Queued', { 'x-powered-by': 'PHP', 'content-type': 'text/plain' });
      res.end(body);
    });
    reply = await send(s.url);
    expect(reply.status).toBe(202);
    expect(all(reply, 'x-powered-by')).toEqual(['RoadRunner', 'PHP']);
  });

  it('survives PHP’s invalid header: the http plugin’s retry without it still gets ours', async () => {
    const s = await start({ response: { 'X-Powered-By': 'RoadRunner' } }, (_req, res, body) => {
      try {
        res.writeHead(200, ['X-Bad', 'a\nb', 'X-Good', '1']);
      } catch {
        res.writeHead(200, ['X-Good', '1']);
      }
      res.end(body);
    });
    const reply = await send(s.url);
    expect(reply.status).toBe(200);
    expect(all(reply, 'x-powered-by')).toEqual(['RoadRunner']);
    expect(all(reply, 'x-good')).toEqual(['1']);
    expect(all(reply, 'x-bad')).toEqual([]);
  });

  it('decorates an answer PHP never saw (an inner middleware answering)', async () => {
    const mw = createHeadersMiddleware(headersConfigSchema.parse({ response: { 'X-Powered-By': 'RoadRunner' } }));
    server = await serve({
      name: 'outer',
      handle: (req: IncomingMessage, res: ServerResponse) => mw.handle(req, res, () => res.writeHead(404, ['Content-Length', '0']).end()),
    });
    const reply = await send(server.url);
    expect(reply.status).toBe(404);
    expect(all(reply, 'x-powered-by')).toEqual(['RoadRunner']);
    expect(server.phpCalls).toBe(0);
  });
});

describe('CORS', () => {
  const cors = {
    allowed_origin: 'https://app.example.com, https://*.example.org',
    allowed_methods: 'GET,POST,PUT',
    allowed_headers: 'Content-Type, X-Token',
    exposed_headers: 'x-total-count, cache-control',
    allow_credentials: true,
    max_age: 600,
  };
  const preflight = (origin: string, method = 'PUT', headers = 'x-token, content-type') => ({
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': headers },
  });

  it('answers an allowed preflight itself, without PHP', async () => {
    const s = await start({ cors, response: { 'X-Powered-By': 'RoadRunner' } });
    const reply = await send(s.url, preflight('https://app.example.com'));
    expect(reply.status).toBe(200);
    expect(s.phpCalls).toBe(0);
    expect(reply.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'x-token, content-type',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      'x-powered-by': 'RoadRunner',
    });
    expect(reply.body).toBe('');
  });

  it('matches a wildcard origin and answers with options_success_status', async () => {
    const s = await start({ cors: { ...cors, options_success_status: 204 } });
    const reply = await send(s.url, preflight('https://api.eu.example.org', 'get', 'Content-Type'));
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('https://api.eu.example.org');
    expect(reply.headers['access-control-allow-methods']).toBe('GET');
  });

  it.each([
    ['an origin not in the list', preflight('https://evil.example.com')],
    ['a method not allowed', preflight('https://app.example.com', 'DELETE')],
    ['a header not allowed', preflight('https://app.example.com', 'PUT', 'x-token, authorization')],
  ])('answers a preflight with %s without CORS headers and without PHP', async (_, request) => {
    const s = await start({ cors });
    const reply = await send(s.url, request);
    expect(reply.status).toBe(200);
    expect(s.phpCalls).toBe(0);
    expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect(reply.headers.vary).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
  });

  it('decorates an allowed simple request, merging Vary with PHP’s', async () => {
    const s = await start({ cors }, writeHeadFlat(['Vary', 'Accept-Encoding']));
    const reply = await send(s.url, { headers: { Origin: 'https://app.example.com' } });
    expect(s.phpCalls).toBe(1);
    expect(reply.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-expose-headers': 'X-Total-Count, Cache-Control',
      'access-control-allow-credentials': 'true',
    });
    expect(all(reply, 'vary')).toEqual(['Origin', 'Accept-Encoding']);
    expect(reply.headers['access-control-max-age']).toBeUndefined();
  });

  it('passes a disallowed simple request to PHP with no CORS headers', async () => {
    const s = await start({ cors });
    for (const request of [{ headers: { Origin: 'https://evil.example' } }, { method: 'DELETE', headers: { Origin: 'https://app.example.com' } }, {}]) {
      const reply = await send(s.url, request);
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
      expect(reply.headers.vary).toBe('Origin');
    }
    expect(s.phpCalls).toBe(3);
  });

  it('passes OPTIONS without Access-Control-Request-Method to PHP', async () => {
    const s = await start({ cors });
    const reply = await send(s.url, { method: 'OPTIONS', headers: { Origin: 'https://app.example.com' } });
    expect(s.phpCalls).toBe(1);
    expect(reply.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('answers "*" for any origin when allowed_origin is "*" or empty, as rs/cors does', async () => {
    for (const allowed of [{ allowed_origin: '*' }, {}]) {
      const s = await start({ cors: allowed });
      const reply = await send(s.url, preflight('http://anything.test', 'POST', 'Content-Type'));
      expect(reply.headers['access-control-allow-origin']).toBe('*');
      expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
      const simple = await send(s.url, { headers: { Origin: 'http://anything.test' } });
      expect(simple.headers['access-control-allow-origin']).toBe('*');
      await s.close();
    }
  });

  it('uses allowed_origin_regex instead of the list, echoing the origin', async () => {
    const s = await start({ cors: { allowed_origin: 'https://listed.test', allowed_origin_regex: '^https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?$', allowed_headers: '*' } });
    const ok = await send(s.url, preflight('http://localhost:5173', 'POST', 'X-Anything'));
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(ok.headers['access-control-allow-headers']).toBe('X-Anything');
    const listed = await send(s.url, preflight('https://listed.test', 'POST', ''));
    expect(listed.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await send(s.url, { headers: { Origin: 'http://127.0.0.1:8080' } });
    expect(simple.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8080');
    const evil = await send(s.url, { headers: { Origin: 'http://localhost.evil.test' } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('logs each decision at debug level when cors.debug is on', async () => {
    const logger = recordingLogger();
    server = await serve(createHeadersMiddleware(headersConfigSchema.parse({ cors: { ...cors, debug: true } }), logger.named('headers')));
    await send(server.url, preflight('https://evil.example.com'));
    expect(logger.find('cors refused')).toEqual([
      expect.objectContaining({ level: 'debug', channel: 'headers', fields: expect.objectContaining({ origin: 'https://evil.example.com', preflight: true, reason: 'origin https://evil.example.com not allowed' }) }),
    ]);
  });
});

describe('request id (rr extension)', () => {
  it('is off unless request_id is configured', async () => {
    const s = await start({});
    const reply = await send(s.url);
    expect(reply.headers['x-request-id']).toBeUndefined();
    expect(phpHeader(reply, 'x-request-id')).toEqual([]);
  });

  it('generates a UUID, passes it to PHP and echoes it', async () => {
    const s = await start({ request_id: {} });
    const first = await send(s.url);
    const second = await send(s.url);
    expect(first.headers['x-request-id']).toMatch(UUID);
    expect(phpHeader(first, 'x-request-id')).toEqual([first.headers['x-request-id']]);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  it('keeps the client’s id unless it is unsafe or trust_incoming is off', async () => {
    let s = await start({ request_id: { header: 'X-Correlation-Id' } });
    const kept = await send(s.url, { headers: { 'X-Correlation-Id': 'abc-123' } });
    expect(kept.headers['x-correlation-id']).toBe('abc-123');
    expect(phpHeader(kept, 'x-correlation-id')).toEqual(['abc-123']);
    const unsafe = await send(s.url, { headers: { 'X-Correlation-Id': 'has space' } });
    expect(unsafe.headers['x-correlation-id']).toMatch(UUID);
    expect(phpHeader(unsafe, 'x-correlation-id')).toEqual([unsafe.headers['x-correlation-id']]);
    await s.close();

    s = await start({ request_id: { trust_incoming: false } });
    const replaced = await send(s.url, { headers: { 'X-Request-Id': 'abc-123' } });
    expect(replaced.headers['x-request-id']).toMatch(UUID);
    expect(phpHeader(replaced, 'x-request-id')).toEqual([replaced.headers['x-request-id']]);
  });

  it('is echoed on an answered preflight too', async () => {
    const s = await start({ request_id: {}, cors: {} });
    const reply = await send(s.url, { method: 'OPTIONS', headers: { Origin: 'http://a.test', 'Access-Control-Request-Method': 'GET' } });
    expect(reply.headers['x-request-id']).toMatch(UUID);
  });
});

describe('createHeadersMiddleware on an unvalidated config', () => {
  it('throws coded errors for what the schema would have refused', () => {
    const base = headersConfigSchema.parse({});
    expect(() => createHeadersMiddleware({ ...base, response: { 'X-A': 'a\nb' } })).toThrow(expect.objectContaining({ code: 'RR_ERR_HEADERS_INVALID_HEADER' }));
    expect(() => createHeadersMiddleware({ ...base, request_id: { header: 'bad name', trust_incoming: true } })).toThrow(expect.objectContaining({ code: 'RR_ERR_HEADERS_INVALID_HEADER' }));
    const cors = headersConfigSchema.parse({ cors: {} }).cors;
    expect(() => createHeadersMiddleware({ ...base, cors: { ...cors!, allowed_origin_regex: '[' } })).toThrow(expect.objectContaining({ code: 'RR_ERR_HEADERS_INVALID_ORIGIN_REGEX' }));
  });
});
