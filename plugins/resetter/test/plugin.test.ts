import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import resetterDefault, { resetterPlugin } from '../src/index.js';
import { endpointsProbe, fakeResettable, resettablePlugin } from './helpers.js';

const call = (endpoint: { methods: Record<string, ((c: never) => unknown) | undefined> } | undefined, method: string, arg: unknown) =>
  Promise.resolve(endpoint?.methods[method]?.({ method: `resetter.${method}`, body: Buffer.from(JSON.stringify(arg)), codec: 0x08 } as never));

describe('resetter plugin', () => {
  it('is the default and the named export, with id resetter', () => {
    expect(resetterDefault).toBe(resetterPlugin);
    expect(resetterPlugin.id).toBe('resetter');
  });

  it('needs no section: always on, even with nothing to reset', async () => {
    const probe = endpointsProbe();
    const t = await startTestKernel({ plugins: [resetterPlugin, probe.plugin] });
    expect(t.kernel.report().find((p) => p.id === 'resetter')?.state).toBe('serving');
    expect(await call(probe.endpoints().find((e) => e.namespace === 'resetter'), 'List', true)).toEqual([]);
    await t.stop();
    expect(t.kernel.report().find((p) => p.id === 'resetter')?.state).toBe('stopped');
  });

  it('collects every enabled resettable and resets it by name, logging on its channel', async () => {
    const probe = endpointsProbe();
    const http = fakeResettable('http');
    const t = await startTestKernel({
      plugins: [resettablePlugin('http', http, { section: true }), resettablePlugin('jobs', fakeResettable('jobs'), { section: true }), resetterPlugin, probe.plugin],
      config: { http: {} },
    });
    const endpoint = probe.endpoints().find((e) => e.namespace === 'resetter');
    expect(await call(endpoint, 'List', true)).toEqual(['http']);
    expect(await call(endpoint, 'Reset', 'http')).toBe(true);
    expect(http.resets).toBe(1);
    expect(t.logger.find('plugin was reset')[0]).toMatchObject({ channel: 'resetter', fields: { plugin: 'http' } });
    await t.stop();
  });

  it('fails init when two resettables share a name', async () => {
    const err = (await startTestKernel({ plugins: [resettablePlugin('a', fakeResettable('x')), resettablePlugin('b', fakeResettable('x')), resetterPlugin] }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code: 'RR_ERR_RESETTER_DUPLICATE_RESETTABLE' });
  });
});
