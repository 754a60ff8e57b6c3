import type { RpcCall, RpcEndpoint, RpcHandler } from '@rr/contracts';
import { SERVICE_DEFAULTS } from './config.js';
import { serviceErrors } from './errors.js';
import type { ServiceSpec } from './process.js';
import { decodeCreate, decodeServiceName, encodeList, encodeResponse, encodeStatus, encodeStatuses, type CreateMessage } from './proto.js';
import type { ServiceManager } from './services.js';

const CODEC_PROTO = 0x80;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x08: 'JSON', 0x10: 'msgpack', 0x20: 'gob' };

/**
 * The `service` RPC service (RoadRunner's service plugin, PROTOCOL §5.5), protobuf service.v1 messages
 * as the PHP services Manager sends them:
 * - `Create` (Create → Response{ok}), `Terminate` and `Restart` (Service{name} → Response{ok});
 * - `Statuses` (Service → Statuses, one per process), `Status` (deprecated: the last process's Status);
 * - `List` (Service, ignored → List{services}).
 */
export function createServiceRpc(services: ServiceManager): RpcEndpoint {
  const methods: Record<string, RpcHandler> = {
    Create: async (call) => {
      await services.create(specFromCreate(decode(call, decodeCreate)));
      return encodeResponse(true);
    },
    Terminate: async (call) => {
      await services.terminate(decode(call, decodeServiceName));
      return encodeResponse(true);
    },
    Restart: async (call) => {
      await services.restart(decode(call, decodeServiceName));
      return encodeResponse(true);
    },
    Status: (call) => {
      const statuses = services.statuses(decode(call, decodeServiceName));
      return encodeStatus(statuses[statuses.length - 1] ?? { cpu_percent: 0, pid: 0, memory_usage: 0, command: '' });
    },
    Statuses: (call) => encodeStatuses(services.statuses(decode(call, decodeServiceName))),
    List: (call) => {
      decode(call, decodeServiceName);
      return encodeList(services.list());
    },
  };
  return { namespace: 'service', methods };
}

function decode<T>(call: RpcCall, decoder: (body: Uint8Array) => T): T {
  if (call.codec !== CODEC_PROTO) throw serviceErrors.UNSUPPORTED_CODEC(call.method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
  try {
    return decoder(call.body);
  } catch (err) {
    throw serviceErrors.BAD_REQUEST(call.method, `malformed service.v1 message: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Create's units are whole seconds; zero restart_sec and timeout_stop_sec mean the defaults, as in YAML. */
function specFromCreate(msg: CreateMessage): ServiceSpec {
  return {
    name: msg.name,
    command: msg.command,
    processNum: msg.process_num,
    execTimeoutMs: Math.max(0, msg.exec_timeout) * 1000,
    remainAfterExit: msg.remain_after_exit,
    restartMs: msg.restart_sec === 0 ? SERVICE_DEFAULTS.restartMs : msg.restart_sec * 1000,
    stopTimeoutMs: msg.timeout_stop_sec === 0 ? SERVICE_DEFAULTS.stopTimeoutMs : msg.timeout_stop_sec * 1000,
    serviceNameInLog: msg.service_name_in_logs,
    env: Object.fromEntries(Object.entries(msg.env).map(([k, v]) => [k.toUpperCase(), v])),
    user: '',
  };
}
