import { httpMiddlewaresRef, type HttpMiddleware } from '@rr/contracts';
import { definePlugin, isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import proxyDefault, { proxyIpParserConfigKey, proxyIpParserConfigSchema, proxyIpParserPlugin } from '../src/index.js';
import { ask, serve } from './helpers.js';

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

async function report(config: Record<string, unknown>) {
  const t = await startTestKernel({ plugins: [proxyIpParserPlugin], config });
  const entry = t.kernel.report().find((p) => p.id === 'proxy_ip_parser');
  await t.stop();
  return entry;
}

describe('proxy_ip_parser plugin', () => {
  it('is the default and the named export, with id proxy_ip_parser reading the http section', () => {
    expect(proxyDefault).toBe(proxyIpParserPlugin);
    expect(proxyIpParserPlugin.id).toBe('proxy_ip_parser');
    expect(proxyIpParserConfigKey).toBe('http');
  });

  it('is disabled without http.trusted_subnets, or with an empty list, as in RoadRunner', async () => {
    expect(await report({})).toMatchObject({ state: 'disabled', reason: "no 'http' section" });
    expect(await report({ http: { address: '127.0.0.1:0' } })).toMatchObject({ state: 'disabled', reason: "no 'http.trusted_subnets'" });
    expect(await report({ http: { trusted_subnets: [] } })).toMatchObject({ state: 'disabled', reason: "no 'http.trusted_subnets'" });
  });

  it('rejects invalid subnets and header names with the kernel code and dotted paths', async () => {
    const err = (await startTestKernel({
      plugins: [proxyIpParserPlugin],
      config: { http: { trusted_subnets: ['10.0.0.0/8', '10.0.0.1', 7], trusted_headers: ['X Forwarded'] } },
    }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    expect((err.details.issues as { path: string; code: string }[]).map((i) => [i.path, i.code])).toEqual([
      ['http.trusted_subnets.1', 'RR_ERR_CONFIG_CUSTOM'],
      ['http.trusted_subnets.2', 'RR_ERR_CONFIG_INVALID_TYPE'],
      ['http.trusted_headers.0', 'RR_ERR_CONFIG_CUSTOM'],
    ]);
  });

  it('leaves the rest of the http section to the http plugin', () => {
    expect(proxyIpParserConfigSchema.parse({ address: ':8080', pool: { num_workers: 'x' }, trusted_subnets: ['::1/128'] })).toEqual({
      trusted_subnets: ['::1/128'],
      trusted_headers: ['Forwarded', 'X-Forwarded-For', 'X-Real-Ip', 'True-Client-Ip', 'Cf-Connecting-Ip'],
    });
  });

  it('provides the proxy_ip_parser middleware, which works on a real server', async () => {
    const probe = middlewareProbe();
    const t = await startTestKernel({
      plugins: [proxyIpParserPlugin, probe.plugin],
      config: { http: { address: '127.0.0.1:0', middleware: ['proxy_ip_parser'], trusted_subnets: ['127.0.0.0/8'] } },
    });
    try {
      expect(probe.seen.middlewares.map((m) => m.name)).toEqual(['proxy_ip_parser']);
      const s = await serve(probe.seen.middlewares[0] as HttpMiddleware);
      try {
        expect((await ask(s.port, { 'X-Forwarded-For': '203.0.113.9, 127.0.0.1' })).remoteAddr).toBe('203.0.113.9');
      } finally {
        await s.close();
      }
    } finally {
      await t.stop();
    }
  });
});
