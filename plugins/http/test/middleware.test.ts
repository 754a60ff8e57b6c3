import { httpMiddlewaresRef, httpRequestState, type HttpMiddleware } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './helpers/client.js';
import { startHttp, type RunningHttp } from './helpers/start.js';

/** An in-test middleware plugin (plugins never import plugins: this stands in for static, headers…). */
function middlewarePlugin(name: string, handle: HttpMiddleware['handle']): Plugin {
  return definePlugin({
    id: `mw_${name}`,
    kernel: '^1.0.0',
    provides: { middleware: httpMiddlewaresRef },
    init: () => ({ provides: { middleware: { name, handle } } }),
  });
}

/** Leaves its name in the request headers PHP sees (as the headers middleware adds request headers). */
const trail = (name: string): Plugin =>
  middlewarePlugin(name, (req, res, next) => {
    req.rawHeaders.push('X-Trail', name);
    if (req.url === `/answer-${name}`) {
      res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', String(name.length)]).end(name);
      return;
    }
    if (req.url === `/fail-${name}`) {
      next(new Error(`${name} refused`));
      return;
    }
    if (req.url === `/throw-${name}`) throw new Error(`${name} threw`);
    // Asynchronous, as real middlewares are (a stat, a lookup).
    setImmediate(() => next());
  });

/** Overrides what PHP sees as the client and adds request attributes (proxy_ip_parser style). */
const state = middlewarePlugin('client', (req, _res, next) => {
  const s = httpRequestState(req);
  s.remoteAddr = '203.0.113.7';
  s.attributes = { ipAddress: '203.0.113.7', tenant: 'acme' };
  next();
});

const plugins = [trail('outer'), trail('inner'), state];

describe('the middleware chain', () => {
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({
      worker: 'http-worker.php',
      // sendfile is a RoadRunner name nothing provides here, nosuch no name at all; client is innermost.
      http: { middleware: ['outer', 'sendfile', 'inner', 'sendfile', 'nosuch', 'client'], access_logs: true },
      plugins,
    });
  });
  afterAll(() => rr?.stop());

  it('runs the listed middlewares in list order, outermost first, PHP innermost', async () => {
    const res = await send(`${rr.url}/echo`);
    const echo = JSON.parse(res.text) as { headers: Record<string, string[]> };
    expect(echo.headers['X-Trail']).toEqual(['outer', 'inner']);
  });

  it('warns once at start about a listed middleware nothing provides, and skips it', () => {
    expect(rr.logger.find("middleware 'sendfile' is not available in this rr (its plugin is not compiled in)", 'warn')).toHaveLength(1);
    expect(rr.logger.find("unknown middleware 'nosuch' is skipped", 'warn')).toHaveLength(1);
  });

  it('passes the remoteAddr and attributes overrides to PHP (and to the access log)', async () => {
    const echo = JSON.parse((await send(`${rr.url}/echo`)).text) as { remoteAddr: string; attributes: Record<string, unknown> };
    expect(echo.remoteAddr).toBe('203.0.113.7');
    expect(echo.attributes).toMatchObject({ ipAddress: '203.0.113.7', tenant: 'acme' });
    expect(rr.logger.find('http access log', 'info').at(-1)?.fields).toMatchObject({ uri: '/echo', remote_addr: '203.0.113.7' });
  });

  it('lets a middleware answer without PHP', async () => {
    const res = await send(`${rr.url}/answer-inner`);
    expect(res.status).toBe(200);
    expect(res.text).toBe('inner');
  });

  it('answers 500 (logged) for next(err) and for a middleware that throws', async () => {
    const failed = await send(`${rr.url}/fail-inner`);
    expect(failed.status).toBe(500);
    expect(failed.text).toBe('');
    expect(rr.logger.find('middleware failed', 'error').at(-1)?.fields).toMatchObject({ middleware: 'inner', error: 'inner refused', uri: '/fail-inner' });
    const thrown = await send(`${rr.url}/throw-outer`);
    expect(thrown.status).toBe(500);
    expect(rr.logger.find('middleware failed', 'error').at(-1)?.fields).toMatchObject({ middleware: 'outer', error: 'outer threw' });
    expect((await send(`${rr.url}/hello`)).text).toBe('hello');
  });
});

describe('the middleware chain with proto payloads', () => {
  let rr: RunningHttp;
  beforeAll(async () => {
    rr = await startHttp({ worker: 'http-worker.php', http: { middleware: ['client'], payload_encoding: 'proto' }, plugins });
  });
  afterAll(() => rr?.stop());

  it('sends the overrides in http.v1.Request, and a collected but unlisted middleware does not run', async () => {
    const echo = JSON.parse((await send(`${rr.url}/echo`)).text) as { remoteAddr: string; attributes: Record<string, unknown>; headers: Record<string, string[]> };
    expect(echo.remoteAddr).toBe('203.0.113.7');
    expect(echo.attributes).toMatchObject({ ipAddress: '203.0.113.7', tenant: 'acme' });
    expect(echo.headers['X-Trail']).toBeUndefined();
    expect(rr.logger.find(/middleware '.*' is not available/)).toEqual([]);
  });
});
