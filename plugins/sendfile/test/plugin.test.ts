import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpMiddlewaresRef, type HttpMiddleware } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import sendfileDefault, { sendfilePlugin } from '../src/index.js';
import { fetchRaw, serve } from './helpers.js';

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

describe('sendfile plugin', () => {
  it('is the default and the named export, with id sendfile', () => {
    expect(sendfileDefault).toBe(sendfilePlugin);
    expect(sendfilePlugin.id).toBe('sendfile');
  });

  it('is enabled without any config section and provides the sendfile middleware, logging on its channel', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-sendfile-plugin-'));
    const file = join(dir, 'hello.txt');
    writeFileSync(file, 'hello from disk\n');
    const probe = middlewareProbe();
    const t = await startTestKernel({ plugins: [sendfilePlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'sendfile')).toMatchObject({ state: 'serving' });
      expect(probe.middlewares().map((m) => m.name)).toEqual(['sendfile']);
      const server = await serve(probe.middlewares()[0] as HttpMiddleware, (req, res) => {
        res.writeHead(200, ['X-Sendfile', req.url === '/missing' ? join(dir, 'missing') : file]);
        res.end('from php');
      });
      try {
        const r = await fetchRaw(server.port);
        expect(r.body.toString()).toBe('hello from disk\n');
        expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect((await fetchRaw(server.port, { path: '/missing' })).status).toBe(404);
        expect(t.logger.find('sendfile failed', 'error')).toEqual([expect.objectContaining({ channel: 'sendfile', fields: expect.objectContaining({ code: 'RR_ERR_SENDFILE_NOT_FOUND' }) })]);
      } finally {
        await server.close();
      }
    } finally {
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
