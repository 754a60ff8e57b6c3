import type { RpcEndpoint } from '@rr/contracts';
import { CODEC_JSON } from '@rr/goridge';
import type { CoreConfig } from '@rr/kernel';

/** What the built-in `rpc` service answers from. */
export interface RpcRpcDeps {
  /** The whole configuration (`core.config`). */
  config: CoreConfig;
  /** What `rpc.Version` returns. */
  version: string;
}

/**
 * The built-in `rpc` service (RoadRunner's `rpc.API`):
 * - `rpc.Config` (argument ignored) → the effective configuration as JSON bytes, keys sorted as Go's
 *   encoder writes them; under the JSON codec Go sends `[]byte` as a base64 string, under RAW the bytes;
 * - `rpc.Version` (argument ignored) → the version string.
 */
export function createRpcRpc(deps: RpcRpcDeps): RpcEndpoint {
  // Taken once, like RoadRunner's Init: the config is frozen for the life of the process anyway.
  const json = Buffer.from(JSON.stringify(sortKeys({ version: deps.config.version, ...deps.config.raw() })));
  const base64 = json.toString('base64');
  return {
    namespace: 'rpc',
    methods: {
      Config: ({ codec }) => (codec === CODEC_JSON ? base64 : json),
      Version: () => deps.version,
    },
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
