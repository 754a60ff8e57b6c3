import type { RpcCall, RpcEndpoint } from '@rr/contracts';
import type { CheckKind, StatusChecker } from './checker.js';
import { statusErrors } from './errors.js';
import { decodeRequest, encodeResponse } from './proto.js';

const CODEC_PROTO = 0x80;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x08: 'json', 0x10: 'msgpack', 0x20: 'gob' };

/**
 * The `status` service (PROTO, status.v1):
 * - `Status` (Request{plugin}) → Response{code, message} from the plugin's health check;
 * - `Ready` (Request{plugin}) → the same from its readiness check.
 * An unknown plugin is the error "no such plugin: <name>", as RoadRunner.
 */
export function createStatusRpc(checker: StatusChecker): RpcEndpoint {
  const method = (kind: CheckKind) => async (call: RpcCall) => {
    const report = await checker.one(kind, pluginArg(call));
    return encodeResponse(report.code, report.message);
  };
  return { namespace: 'status', methods: { Status: method('health'), Ready: method('ready') } };
}

function pluginArg(call: RpcCall): string {
  if (call.codec !== CODEC_PROTO) throw statusErrors.UNSUPPORTED_CODEC(call.method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
  try {
    return decodeRequest(call.body);
  } catch (err) {
    throw statusErrors.BAD_ARGUMENT(call.method, `malformed status.v1.Request: ${(err as Error).message}`);
  }
}
