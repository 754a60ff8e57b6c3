import { endpointsProbe } from '@rr/testkit';
export { endpointsProbe };
import { statusSourcesRef, type StatusReport, type StatusSource } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { statusPlugin } from '../src/index.js';

/** A status source whose answers tests flip at will; a function value is called on each check. */
export function flipSource(name: string): StatusSource & { healthy: StatusReport | (() => Promise<StatusReport>); readyNow: StatusReport | (() => Promise<StatusReport>) } {
  const ok = { code: 200, message: '' };
  const source = {
    name,
    healthy: ok as StatusReport | (() => Promise<StatusReport>),
    readyNow: ok as StatusReport | (() => Promise<StatusReport>),
    health: () => (typeof source.healthy === 'function' ? source.healthy() : source.healthy),
    ready: () => (typeof source.readyNow === 'function' ? source.readyNow() : source.readyNow),
  };
  return source;
}

/** A plugin that provides a status source. */
export function sourcePlugin(id: string, source: StatusSource): Plugin {
  return definePlugin({ id, kernel: '^1.0.0', provides: { status: statusSourcesRef }, init: () => ({ provides: { status: source } }) });
}


/** Starts status on a free port with the given sources; `url(path)` addresses the listener. */
export async function startStatus(sources: StatusSource[], section: Record<string, unknown> = {}) {
  const probe = endpointsProbe();
  const t = await startTestKernel({
    plugins: [...sources.map((s) => sourcePlugin(`${s.name}_plugin`, s)), statusPlugin, probe.plugin],
    config: { status: { address: '127.0.0.1:0', ...section } },
  });
  const address = t.logger.find('status listening')[0]?.fields.address as string;
  return { t, address, url: (path: string) => `http://${address}${path}`, endpoint: () => probe.endpoints().find((e) => e.namespace === 'status') };
}

/** GET and parse: status code and JSON (or text) body. */
export async function get(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type') === 'application/json' ? JSON.parse(text) : text };
}
