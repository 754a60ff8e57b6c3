import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import informerDefault, { informerPlugin } from '../src/index.js';
import { endpointsProbe, fakeSource, sourcePlugin, state } from './helpers.js';

const call = (endpoint: { methods: Record<string, ((c: never) => unknown) | undefined> } | undefined, method: string, arg: unknown) =>
  Promise.resolve(endpoint?.methods[method]?.({ method: `informer.${method}`, body: Buffer.from(JSON.stringify(arg)), codec: 0x08 } as never));

describe('informer plugin', () => {
  it('is the default and the named export, with id informer', () => {
    expect(informerDefault).toBe(informerPlugin);
    expect(informerPlugin.id).toBe('informer');
  });

  it('needs no section: always on, even with no worker source', async () => {
    const probe = endpointsProbe();
    const t = await startTestKernel({ plugins: [informerPlugin, probe.plugin] });
    expect(t.kernel.report().find((p) => p.id === 'informer')?.state).toBe('serving');
    const endpoint = probe.endpoints().find((e) => e.namespace === 'informer');
    expect(await call(endpoint, 'List', true)).toEqual([]);
    await t.stop();
    expect(t.kernel.report().find((p) => p.id === 'informer')?.state).toBe('stopped');
  });

  it('collects every enabled worker source and answers for it', async () => {
    const probe = endpointsProbe();
    const t = await startTestKernel({
      plugins: [sourcePlugin('http', fakeSource('http', [7]), { section: true }), sourcePlugin('grpc', fakeSource('grpc', [8]), { section: true }), informerPlugin, probe.plugin],
      config: { http: {} },
    });
    const endpoint = probe.endpoints().find((e) => e.namespace === 'informer');
    // grpc has no section, so it is disabled and drops out.
    expect(await call(endpoint, 'List', true)).toEqual(['http']);
    expect(await call(endpoint, 'Workers', 'http')).toEqual({ workers: [state(7)] });
    await t.stop();
  });

  it('fails init when two sources share a name', async () => {
    const err = (await startTestKernel({ plugins: [sourcePlugin('a', fakeSource('x', [])), sourcePlugin('b', fakeSource('x', [])), informerPlugin] }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
    expect(err.cause).toMatchObject({ code: 'RR_ERR_INFORMER_DUPLICATE_SOURCE' });
  });
});
