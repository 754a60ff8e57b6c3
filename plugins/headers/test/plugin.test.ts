import { httpMiddlewaresRef, type HttpMiddleware } from '@rr/contracts';
import { definePlugin, isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import headersDefault, { headersConfigKey, headersConfigSchema, headersPlugin } from '../src/index.js';
import { all, phpHeader, send, serve } from './helpers.js';

/** Stands in for the http plugin: collects every middleware, as the real one does. */
function middlewareProbe() {
  const seen: { middlewares: readonly HttpMiddleware[] } = { middlewares: [] };
  const plugin = definePlugin({
    id: 'probe',
    kernel: '^1.0.0',
    collects: { middlewares: httpMiddlewaresRef },
    init({ collected }) {
      seen.middlewares = collected.middlewares;
      return { provides: {} };
    },
  });
  return { plugin, seen };
}

describe('headers plugin', () => {
  it('is the default and the named export, with id headers and key http.headers', () => {
    expect(headersDefault).toBe(headersPlugin);
    expect(headersPlugin.id).toBe('headers');
    expect(headersConfigKey).toBe('http.headers');
  });

  it("is disabled without an 'http.headers' section, as in RoadRunner", async () => {
    const probe = middlewareProbe();
    const t = await startTestKernel({ plugins: [headersPlugin, probe.plugin], config: { http: { address: '127.0.0.1:0' } } });
    expect(t.kernel.report().find((p) => p.id === 'headers')).toMatchObject({ state: 'disabled', reason: "no 'http.headers' section" });
    expect(probe.seen.middlewares).toEqual([]);
    await t.stop();
  });

  it('rejects an invalid section with the kernel code and dotted paths', async () => {
    const err = (await startTestKernel({
      plugins: [headersPlugin],
      config: { http: { headers: { cors: { allowed_origin_regex: '(', max_age: -1, allowed: 'x' }, response: { 'Bad Name': 'x' } } } },
    }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    expect((err.details.issues as { path: string; code: string }[]).map((i) => [i.path, i.code]).sort()).toEqual([
      ['http.headers.cors.allowed', 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS'],
      ['http.headers.cors.allowed_origin_regex', 'RR_ERR_CONFIG_CUSTOM'],
      ['http.headers.cors.max_age', 'RR_ERR_CONFIG_TOO_SMALL'],
      ['http.headers.response.Bad Name', 'RR_ERR_CONFIG_CUSTOM'],
    ]);
  });

  it('provides the headers middleware, which works on a real server', async () => {
    const probe = middlewareProbe();
    const t = await startTestKernel({
      plugins: [headersPlugin, probe.plugin],
      config: { http: { headers: { request: { 'X-From': 'rr' }, response: { 'X-Powered-By': 'RoadRunner' }, cors: { allowed_origin: 'https://a.test' }, request_id: { header: 'X-Request-Id' } } } },
    });
    try {
      expect(t.kernel.report().find((p) => p.id === 'headers')?.state).not.toBe('disabled');
      expect(probe.seen.middlewares.map((m) => m.name)).toEqual(['headers']);
      const s = await serve(probe.seen.middlewares[0] as HttpMiddleware);
      try {
        const reply = await send(s.url, { headers: { Origin: 'https://a.test' } });
        expect(phpHeader(reply, 'x-from')).toEqual(['rr']);
        expect(all(reply, 'x-powered-by')).toEqual(['RoadRunner']);
        expect(reply.headers['access-control-allow-origin']).toBe('https://a.test');
        expect(reply.headers['x-request-id']).toBe(phpHeader(reply, 'x-request-id')[0]);
      } finally {
        await s.close();
      }
    } finally {
      await t.stop();
    }
  });
});

describe('headers config', () => {
  it.each([
    [{}, { request: {}, response: {} }],
    [{ request: { 'X-N': 1, 'X-B': true } }, { request: { 'X-N': '1', 'X-B': 'true' }, response: {} }],
    [
      { cors: { max_age: '600', allow_credentials: 'true' } },
      { request: {}, response: {}, cors: { max_age: 600, allow_credentials: true, options_success_status: 200, debug: false } },
    ],
    [{ request_id: {} }, { request: {}, response: {}, request_id: { header: 'X-Request-Id', trust_incoming: true } }],
  ])('accepts %j', (input, output) => {
    expect(headersConfigSchema.parse(input)).toEqual(output);
  });

  it.each([
    [{ request: { 'X-A': 'a\r\nb' } }, ['request', 'X-A']],
    [{ cors: { options_success_status: 404 } }, ['cors', 'options_success_status']],
    [{ request_id: { header: 'X Id' } }, ['request_id', 'header']],
    [{ unknown: 1 }, []],
  ])('rejects %j at %j', (input, path) => {
    const result = headersConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });
});
