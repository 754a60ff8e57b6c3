import { rpcEndpointsRef, type RpcEndpoint } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import appDefault, { appPlugin, encodeLogEntry } from '../src/index.js';

function probe() {
  let seen: readonly RpcEndpoint[] = [];
  const plugin = definePlugin({
    id: 'probe',
    kernel: '^1.0.0',
    collects: { endpoints: rpcEndpointsRef },
    init: ({ collected }) => {
      seen = collected.endpoints;
      return {};
    },
  });
  return { plugin, endpoint: () => seen.find((e) => e.namespace === 'app') };
}

describe('app plugin', () => {
  it('is the default and the named export, with id app (the RPC namespace)', () => {
    expect(appDefault).toBe(appPlugin);
    expect(appPlugin.id).toBe('app');
  });

  it('needs no section: always on, logging in the app channel of the kernel logger', async () => {
    const p = probe();
    const t = await startTestKernel({ plugins: [appPlugin, p.plugin] });
    expect(t.kernel.report().find((r) => r.id === 'app')?.state).toBe('serving');
    const endpoint = p.endpoint();
    expect(await endpoint?.methods.Info?.({ method: 'app.Info', body: Buffer.from('"hello from php"'), codec: 0x08 })).toBe(true);
    await endpoint?.methods.DebugWithContext?.({ method: 'app.DebugWithContext', body: encodeLogEntry({ message: 'ctx', attributes: [{ key: 'pid', value: '12' }] }), codec: 0x80 });
    expect(t.logger.lines.filter((l) => l.channel === 'app')).toEqual([
      { level: 'info', channel: 'app', message: 'hello from php', fields: {} },
      { level: 'debug', channel: 'app', message: 'ctx', fields: { pid: '12' } },
    ]);
    await t.stop();
    expect(t.kernel.report().find((r) => r.id === 'app')?.state).toBe('stopped');
  });
});
