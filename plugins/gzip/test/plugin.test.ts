import { httpMiddlewaresRef, type HttpMiddleware } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import gzipDefault, { gzipPlugin } from '../src/index.js';
import { fetchRaw, serve, text } from './helpers.js';

/** Collects every middleware, as the http plugin does. */
function middlewareProbe() {
  let seen: readonly HttpMiddleware[] = [];
  const plugin = definePlugin({
    id: 'probe',
    kernel: '^1.0.0',
    collects: { middlewares: httpMiddlewaresRef },
    init: ({ collected }) => {
      seen = collected.middlewares;
      return {};
    },
  });
  return { plugin, middlewares: () => seen };
}

describe('gzip plugin', () => {
  it('is the default and the named export, with id gzip', () => {
    expect(gzipDefault).toBe(gzipPlugin);
    expect(gzipPlugin.id).toBe('gzip');
  });

  it('is enabled without any config section and provides the gzip middleware that compresses', async () => {
    const probe = middlewareProbe();
    const t = await startTestKernel({ plugins: [gzipPlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'gzip')).toMatchObject({ state: 'serving' });
      expect(probe.middlewares().map((m) => m.name)).toEqual(['gzip']);
      const server = await serve(probe.middlewares()[0] as HttpMiddleware, (_req, res) => {
        res.writeHead(200, ['Content-Type', 'text/plain', 'Content-Length', '3000']);
        res.end(text(3000));
      });
      try {
        const r = await fetchRaw(server.port, { headers: { 'accept-encoding': 'gzip' } });
        expect(r.headers['content-encoding']).toBe('gzip');
        expect(gunzipSync(r.body).toString()).toBe(text(3000));
      } finally {
        await server.close();
      }
    } finally {
      await t.stop();
    }
  });
});
