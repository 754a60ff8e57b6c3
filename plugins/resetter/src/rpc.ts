import type { RpcCall, RpcEndpoint } from '@rr/contracts';
import { resetterErrors } from './errors.js';
import type { Resetter } from './resetter.js';

const CODEC_JSON = 0x08;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x80: 'protobuf', 0x10: 'msgpack', 0x20: 'gob' };

/**
 * The `resetter` service (JSON codec, as `rr reset` uses it):
 * - `List` (bool, ignored) → names of the resettable plugins;
 * - `Reset` (plugin) → true once that plugin's rolling reset finished.
 */
export function createResetterRpc(resetter: Resetter): RpcEndpoint {
  return {
    namespace: 'resetter',
    methods: {
      List: (call) => {
        requireJson(call);
        return resetter.list();
      },
      Reset: async (call) => {
        await resetter.reset(pluginArg(call));
        return true;
      },
    },
  };
}

function requireJson(call: RpcCall): void {
  if (call.codec !== CODEC_JSON) throw resetterErrors.UNSUPPORTED_CODEC(call.method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
}

/** The plugin-name argument: a JSON string; an empty body is Go's zero value, "". */
function pluginArg(call: RpcCall): string {
  requireJson(call);
  if (call.body.length === 0) return '';
  let value: unknown;
  try {
    value = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw resetterErrors.BAD_ARGUMENT(call.method, 'the argument is not valid JSON');
  }
  if (typeof value !== 'string') throw resetterErrors.BAD_ARGUMENT(call.method, `expected a plugin name (a JSON string), got ${value === null ? 'null' : typeof value}`);
  return value;
}
