import { httpMiddlewaresRef, type HttpMiddleware } from '@rr/contracts';
import { definePlugin, isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import staticDefault, { staticPlugin } from '../src/index.js';
import { makeFixture, raw, serveMiddleware } from './helpers.js';

/** Collects every middleware, as the http plugin does. */
function middlewareProbe() {
  let seen: readonly HttpMiddleware[] = [];
  return {
    middlewares: () => seen,
    plugin: definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { middlewares: httpMiddlewaresRef },
      init: ({ collected }) => {
        seen = collected.middlewares;
        return {};
      },
    }),
  };
}

let fx: ReturnType<typeof makeFixture>;
beforeEach(() => {
  fx = makeFixture({ 'app.css': 'body{}' });
});
afterEach(() => fx.cleanup());

describe('static plugin', () => {
  it('is the default and the named export, with id static', () => {
    expect(staticDefault).toBe(staticPlugin);
    expect(staticPlugin.id).toBe('static');
  });

  it("is disabled without an 'http.static' section, even with an http section", async () => {
    const probe = middlewareProbe();
    const t = await startTestKernel({ plugins: [staticPlugin, probe.plugin], config: { http: { address: '127.0.0.1:0' } } });
    expect(t.kernel.report().find((p) => p.id === 'static')).toMatchObject({ state: 'disabled', reason: "no 'http.static' section" });
    expect(probe.middlewares()).toEqual([]);
    await t.stop();
  });

  it('provides the `static` middleware, which serves files and hands the rest to PHP', async () => {
    const probe = middlewareProbe();
    const t = await startTestKernel({ plugins: [staticPlugin, probe.plugin], config: { http: { static: { dir: fx.dir, calculate_etag: true } } } });
    try {
      const [mw] = probe.middlewares();
      expect(mw?.name).toBe('static');
      const srv = await serveMiddleware(mw as HttpMiddleware);
      try {
        const hit = await fetch(srv.url('/app.css'));
        expect(await hit.text()).toBe('body{}');
        expect(hit.headers.get('etag')).toMatch(/^"6-\d+"$/);
        expect(await (await fetch(srv.url('/index.php'))).text()).toBe('from php');
        expect((await raw(srv.port, '/%2e%2e/secret.txt')).status).toBe(403);
      } finally {
        await srv.close();
      }
      expect(t.logger.find('path traversal refused')).toEqual([expect.objectContaining({ level: 'debug', channel: 'static' })]);
    } finally {
      await t.stop();
    }
  });

  it.each([
    ['a missing dir', () => `${fx.base}/nope`, 'RR_ERR_STATIC_DIR_NOT_FOUND'],
    ['a file as dir', () => `${fx.dir}/app.css`, 'RR_ERR_STATIC_NOT_A_DIRECTORY'],
  ])('fails init for %s', async (_name, dir, code) => {
    const err = (await startTestKernel({ plugins: [staticPlugin], config: { http: { static: { dir: dir() } } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code });
  });
});
