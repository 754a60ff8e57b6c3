import type { RpcCall, RpcEndpoint } from '@rr/contracts';
import { informerErrors } from './errors.js';
import type { Informer } from './informer.js';

const CODEC_JSON = 0x08;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x80: 'protobuf', 0x10: 'msgpack', 0x20: 'gob' };

/**
 * The `informer` service (JSON codec, as PHP's WorkerPool and `rr workers` use it):
 * - `List` (bool, ignored) → plugin names;
 * - `Workers` (plugin) → `{"workers":[ProcessState…]}`, `{"workers":null}` for an unknown plugin;
 * - `AddWorker` (plugin) → true; `RemoveWorker` (plugin) → whether a worker was removed;
 * - `Jobs` (plugin) → `[JobsState…]`, `[]` without jobs.
 */
export function createInformerRpc(informer: Informer): RpcEndpoint {
  return {
    namespace: 'informer',
    methods: {
      List: (call) => {
        requireJson(call);
        return informer.list();
      },
      Workers: (call) => ({ workers: informer.workers(pluginArg(call)) }),
      AddWorker: async (call) => {
        await informer.addWorker(pluginArg(call));
        return true;
      },
      RemoveWorker: (call) => informer.removeWorker(pluginArg(call)),
      Jobs: (call) => informer.jobs(pluginArg(call)),
    },
  };
}

function requireJson(call: RpcCall): void {
  if (call.codec !== CODEC_JSON) throw informerErrors.UNSUPPORTED_CODEC(call.method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
}

/** The plugin-name argument: a JSON string; an empty body is Go's zero value, "". */
function pluginArg(call: RpcCall): string {
  requireJson(call);
  if (call.body.length === 0) return '';
  let value: unknown;
  try {
    value = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw informerErrors.BAD_ARGUMENT(call.method, 'the argument is not valid JSON');
  }
  if (typeof value !== 'string') throw informerErrors.BAD_ARGUMENT(call.method, `expected a plugin name (a JSON string), got ${value === null ? 'null' : typeof value}`);
  return value;
}
