import { metricsCollectorsRef, type MetricsCollector, type RpcEndpoint } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { endpointsProbe, startTestKernel, type TestKernel } from '@rr/testkit';
import { greeterPlugin } from '../src/index.js';

export const CODEC_JSON = 0x08;

/** Collects every metrics collector, as the metrics plugin does (id `metrics`, standing in for it). */
export function collectorsProbe(): { plugin: Plugin; collectors: () => readonly MetricsCollector[] } {
  let seen: readonly MetricsCollector[] = [];
  return {
    collectors: () => seen,
    plugin: definePlugin({
      id: 'metrics',
      kernel: '^1.0.0',
      collects: { collectors: metricsCollectorsRef },
      init: ({ collected }) => {
        seen = collected.collectors;
        return {};
      },
    }),
  };
}

/** The greeter on the real kernel with probes for its RPC endpoint and its metrics collector. */
export async function startGreeter(section: unknown, extra: readonly Plugin[] = []): Promise<{ t: TestKernel; endpoint: RpcEndpoint; collectors: () => readonly MetricsCollector[] }> {
  const rpc = endpointsProbe();
  const metrics = collectorsProbe();
  const t = await startTestKernel({ plugins: [...extra, greeterPlugin, rpc.plugin, metrics.plugin], config: { greeter: section } });
  const endpoint = rpc.endpoints().find((e) => e.namespace === 'greeter');
  if (endpoint === undefined) {
    await t.stop();
    throw new Error('the greeter provided no RPC endpoint');
  }
  return { t, endpoint, collectors: metrics.collectors };
}

/** Calls one method of an endpoint as the rpc plugin would, with a JSON-encoded argument. */
export function call(endpoint: RpcEndpoint, method: string, arg: unknown, codec = CODEC_JSON): Promise<unknown> {
  const body = arg === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(arg));
  return Promise.resolve().then(() => endpoint.methods[method]?.({ method: `greeter.${method}`, body, codec }));
}
