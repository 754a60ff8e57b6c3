import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './helpers/client.js';
import { startHttp, type RunningHttp } from './helpers/start.js';

let rr: RunningHttp;
beforeAll(async () => {
  rr = await startHttp({ worker: 'http-worker.php' });
});
afterAll(() => rr?.stop());

describe('through the php-sdk HttpWorker (JSON context)', () => {
  it('is accepted by the SDK: headers, cookies, query, parsed body', async () => {
    const res = await send(`${rr.url}/echo?x[]=1&x[]=2&y=z`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'sid=abc%3D; theme=dark', 'x-trace': ['t1', 't2'] },
      body: 'user[name]=ann&user[roles][]=admin&user[roles][]=dev',
    });
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.text) as Record<string, unknown>;
    expect(echo).toMatchObject({
      remoteAddr: '127.0.0.1',
      protocol: 'HTTP/1.1',
      method: 'POST',
      uri: `${rr.url}/echo?x[]=1&x[]=2&y=z`,
      cookies: { sid: 'abc=', theme: 'dark' },
      query: { x: ['1', '2'], y: 'z' },
      rawQuery: 'x[]=1&x[]=2&y=z',
      parsed: true,
      parsedBody: { user: { name: 'ann', roles: ['admin', 'dev'] } },
      attributes: { rr_parsed_body: true },
    });
    expect((echo['headers'] as Record<string, string[]>)['X-Trace']).toEqual(['t1', 't2']);
    expect(echo['headers']).not.toHaveProperty('Host');
  });

  it('writes repeated headers as separate lines (several Set-Cookie)', async () => {
    const res = await fetch(`${rr.url}/cookies`);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly', 'c=3']);
    const raw = await send(`${rr.url}/cookies`);
    const multi = raw.rawHeaders.flatMap((v, i) => (i % 2 === 0 && v === 'X-Multi' ? [raw.rawHeaders[i + 1]] : []));
    expect(multi).toEqual(['one', 'two']);
    expect(raw.headers['content-length']).toBe('2');
  });

  it.each([
    [201, 201, 'status body'],
    [404, 404, 'status body'],
    [599, 599, 'status body'],
    [42, 500, 'unknown status code from worker: 42'],
    [600, 500, 'unknown status code from worker: 600'],
  ])('status %i from the worker → %i', async (sent, expected, body) => {
    const res = await send(`${rr.url}/status/${sent}`);
    expect(res.status).toBe(expected);
    expect(res.text).toBe(body);
  });

  it('adds the Content-Type Go would sniff when the worker sends none', async () => {
    const res = await send(`${rr.url}/nocontenttype`);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('turns headers named by Trailer into trailers', async () => {
    const res = await send(`${rr.url}/trailer`);
    expect(res.text).toBe('body');
    expect(res.headers['trailer']).toBe('X-Checksum');
    expect(res.headers['x-checksum']).toBeUndefined();
    expect(res.trailers['x-checksum']).toBe('abc123');
  });

  it('streams chunks in order, flushing each one', async () => {
    const res = await fetch(`${rr.url}/stream?n=4&delay=40`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-stream')).toBe('yes');
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const reads: string[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      reads.push(Buffer.from(value).toString());
    }
    expect(reads.join('')).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nend\n');
    // With 40 ms between chunks, they cannot all have arrived in one read.
    expect(reads.length).toBeGreaterThan(2);
  });

  it('sends 103 Early Hints as an interim response, then the final response without the hint headers', async () => {
    const res = await send(`${rr.url}/hints`);
    expect(res.informational).toEqual([{ status: 103, headers: expect.objectContaining({ link: '</style.css>; rel=preload; as=style' }) }]);
    expect(res.status).toBe(200);
    expect(res.text).toBe('after hints');
    expect(res.headers['x-final']).toBe('1');
    expect(res.headers['link']).toBeUndefined();
  });

  it('stops the worker’s stream when the client goes away (the worker sees STOP) and keeps serving', async () => {
    const stoppedBefore = rr.logger.find(/stream stopped after \d+ chunks/).length;
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${rr.url}/endless`, { agent: false }, (res) => {
        let seen = 0;
        res.on('data', () => {
          if (++seen === 2) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
      req.end();
    });
    await expect.poll(() => rr.logger.find(/stream stopped after \d+ chunks/).length, { timeout: 5_000 }).toBe(stoppedBefore + 1);
    // One worker only: it is free again.
    const res = await send(`${rr.url}/hello`);
    expect(res.text).toBe('hello');
    expect(rr.logger.find('http log').at(-2)?.fields).toMatchObject({ uri: '/endless', status: 200 });
  });

  it('serves many requests, streamed or not, over one keep-alive connection without leaking listeners', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 30; i++) {
        const path = i % 2 === 0 ? '/stream?n=1' : '/hello';
        const text = await new Promise<string>((resolve, reject) => {
          httpRequest(`${rr.url}${path}`, { agent }, (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve(body));
          })
            .on('error', reject)
            .end();
        });
        expect(text).toBe(i % 2 === 0 ? 'chunk 0\nend\n' : 'hello');
      }
    } finally {
      process.off('warning', onWarning);
      agent.destroy();
    }
    expect(warnings).toEqual([]);
  });

  it('answers internal_error_code without details when the worker reports an error', async () => {
    const res = await send(`${rr.url}/error`);
    expect(res.status).toBe(500);
    expect(res.text).toBe('');
    expect(res.headers['no-workers']).toBeUndefined();
    expect(rr.logger.find('request failed', 'error').at(-1)?.fields).toMatchObject({ code: 'RR_ERR_POOL_WORKER_ERROR' });
  });

  it('answers 500 when the worker dies, and a new worker serves the next request', async () => {
    expect((await send(`${rr.url}/crash`)).status).toBe(500);
    await expect.poll(async () => (await send(`${rr.url}/hello`)).text, { timeout: 5_000 }).toBe('hello');
  });
});

describe('errors with pool.debug and a custom internal_error_code', () => {
  let dbg: RunningHttp;
  beforeAll(async () => {
    dbg = await startHttp({ worker: 'http-worker.php', http: { internal_error_code: 503, pool: { debug: true } } });
  });
  afterAll(() => dbg?.stop());

  it('shows the HTML-escaped error text only in debug mode', async () => {
    const res = await send(`${dbg.url}/error`);
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toContain('boom &lt;b&gt;&amp;&lt;/b&gt;');
    expect(res.text).not.toContain('<b>');
  });
});

describe('no free workers', () => {
  let busy: RunningHttp;
  beforeAll(async () => {
    busy = await startHttp({ worker: 'http-worker.php', http: { pool: { num_workers: 1, allocate_timeout: '300ms' } } });
  });
  afterAll(() => busy?.stop());

  it('answers 500 with No-Workers: true when no worker frees up within allocate_timeout', async () => {
    const slow = send(`${busy.url}/slow?ms=1500`);
    await new Promise((r) => setTimeout(r, 100));
    const res = await send(`${busy.url}/hello`);
    expect(res.status).toBe(500);
    expect(res.headers['no-workers']).toBe('true');
    expect(res.text).toBe('');
    expect((await slow).text).toBe('slow done');
  });
});

describe('protobuf payloads (payload_encoding: proto)', () => {
  let pb: RunningHttp;
  beforeAll(async () => {
    pb = await startHttp({ worker: 'http-worker.php', http: { payload_encoding: 'proto' } });
  });
  afterAll(() => pb?.stop());

  it('sends http.v1.Request that the SDK decodes, and accepts its http.v1.Response', async () => {
    const res = await send(`${pb.url}/echo?q=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'a=b%20c' },
      body: 'k[]=1&k[]=2',
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.text)).toMatchObject({
      remoteAddr: '127.0.0.1',
      protocol: 'HTTP/1.1',
      method: 'POST',
      uri: `${pb.url}/echo?q=1`,
      cookies: { a: 'b c' },
      query: { q: '1' },
      parsed: true,
      parsedBody: { k: ['1', '2'] },
    });
  });

  it('writes repeated headers from a protobuf response', async () => {
    const res = await fetch(`${pb.url}/cookies`);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly', 'c=3']);
  });

  it('streams with protobuf contexts', async () => {
    expect(await (await fetch(`${pb.url}/stream?n=2`)).text()).toBe('chunk 0\nchunk 1\nend\n');
  });
});

describe('access_logs', () => {
  let logs: RunningHttp;
  beforeAll(async () => {
    logs = await startHttp({ worker: 'http-worker.php', http: { access_logs: true } });
  });
  afterAll(() => logs?.stop());

  it('logs every request at info with RoadRunner’s access-log fields', async () => {
    await send(`${logs.url}/hello?a=1`, { headers: { 'user-agent': 'probe/1', referer: 'http://r/' } });
    const line = logs.logger.find('http access log', 'info').at(-1);
    expect(line?.fields).toMatchObject({
      status: 200,
      method: 'GET',
      uri: '/hello?a=1',
      remote_addr: '127.0.0.1',
      bytes: 5,
      query: 'a=1',
      host: `127.0.0.1:${logs.port}`,
      user_agent: 'probe/1',
      referer: 'http://r/',
      content_length: 0,
    });
    expect(typeof line?.fields['elapsed']).toBe('number');
    expect(logs.logger.find('http log', 'debug')).toEqual([]);
  });
});
