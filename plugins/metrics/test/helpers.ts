import { metricsCollectorsRef, rpcEndpointsRef, workerSourcesRef, type MetricsCollector, type ProcessState, type RpcEndpoint, type WorkerSource } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';

export function state(pid: number, statusStr: string, memoryUsage: number): ProcessState {
  const status = ({ ready: 1, working: 2, invalid: 3 } as Record<string, number>)[statusStr] ?? 5;
  return { pid, status, statusStr, numExecs: 0, created: 1_714_564_800_000_000_000, memoryUsage, CPUPercent: 0, command: '' };
}

/** A plugin that provides a worker source and/or a metrics collector. */
export function providerPlugin(id: string, provide: { workers?: WorkerSource; collector?: MetricsCollector }): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    ...(provide.workers
      ? { provides: { workers: workerSourcesRef }, init: () => ({ provides: { workers: provide.workers as WorkerSource } }) }
      : { provides: { collector: metricsCollectorsRef }, init: () => ({ provides: { collector: provide.collector as MetricsCollector } }) }),
  });
}

/** Collects every RPC endpoint, as the rpc plugin does, so tests can call them without a socket. */
export function endpointsProbe(): { plugin: Plugin; endpoint: () => RpcEndpoint | undefined } {
  let seen: readonly RpcEndpoint[] = [];
  return {
    endpoint: () => seen.find((e) => e.namespace === 'metrics'),
    plugin: definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { endpoints: rpcEndpointsRef },
      init: ({ collected }) => {
        seen = collected.endpoints;
        return {};
      },
    }),
  };
}

/** Calls one method with a JSON argument (undefined = empty body). */
export function caller(endpoint: RpcEndpoint | undefined) {
  return (method: string, arg?: unknown, codec = 0x08) =>
    Promise.resolve().then(() => endpoint?.methods[method]?.({ method: `metrics.${method}`, body: Buffer.from(arg === undefined ? '' : JSON.stringify(arg)), codec }));
}

/** Parses the text format into `name{labels}` → value (labels as written, sorted). */
export function parseText(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad exposition line: ${line}`);
    const labels = m[3] ? (m[3].match(/[a-zA-Z_]\w*="(?:[^"\\]|\\.)*"/g) ?? []).sort().join(',') : '';
    const raw = m[4] as string;
    out.set(labels ? `${m[1]}{${labels}}` : (m[1] as string), raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw));
  }
  return out;
}

/** Scrapes a metrics address over real HTTP. */
export async function scrape(address: string, path = '/metrics'): Promise<{ status: number; type: string | null; text: string; values: Map<string, number> }> {
  const res = await fetch(`http://${address}${path}`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, values: parseText(text) };
}
