import type { Logger, LogFields, RpcCall, RpcEndpoint, RpcHandler } from '@rr/contracts';
import { appErrors } from './errors.js';
import { decodeLogEntry, type LogEntry } from './proto.js';

const CODEC_JSON = 0x08;
const CODEC_PROTO = 0x80;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x08: 'JSON', 0x80: 'protobuf', 0x10: 'msgpack', 0x20: 'gob' };

type Level = 'error' | 'warn' | 'info' | 'debug';
const LEVELS: readonly (readonly [string, Level])[] = [
  ['Error', 'error'],
  ['Warning', 'warn'],
  ['Info', 'info'],
  ['Debug', 'debug'],
];

/**
 * The `app` service (RoadRunner's app-logger), logging through `log` (the `app` channel):
 * - `Error`, `Warning`, `Info`, `Debug` (JSON string) → true, a line at that level;
 * - `Log` (JSON string) → true, the text written raw;
 * - `ErrorWithContext`, `WarningWithContext`, `InfoWithContext`, `DebugWithContext`, `LogWithContext`
 *   (PROTO `applogger.v1.LogEntry`) → an empty `Response`; attributes become fields (string values).
 */
export function createAppRpc(log: Logger): RpcEndpoint {
  const methods: Record<string, RpcHandler> = {};
  for (const [name, level] of LEVELS) {
    methods[name] = (call) => {
      log[level](jsonMessage(call));
      return true;
    };
    methods[`${name}WithContext`] = (call) => {
      const entry = protoEntry(call);
      log[level](entry.message, fields(entry));
      return Buffer.alloc(0);
    };
  }
  methods.Log = (call) => {
    log.raw(jsonMessage(call));
    return true;
  };
  methods.LogWithContext = (call) => {
    const entry = protoEntry(call);
    // Raw output has no fields: attributes follow the message as key=value, so none is lost.
    log.raw([entry.message, ...entry.attributes.map((a) => `${a.key}=${a.value}`)].join(' '));
    return Buffer.alloc(0);
  };
  return { namespace: 'app', methods };
}

function codecName(codec: number): string {
  return CODEC_NAMES[codec] ?? `0x${codec.toString(16)}`;
}

/** The message argument of the plain methods: a JSON string; an empty body is Go's zero value, "". */
function jsonMessage(call: RpcCall): string {
  if (call.codec !== CODEC_JSON) throw appErrors.UNSUPPORTED_CODEC(call.method, 'JSON', codecName(call.codec));
  if (call.body.length === 0) return '';
  let value: unknown;
  try {
    value = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw appErrors.BAD_ARGUMENT(call.method, 'the argument is not valid JSON');
  }
  if (typeof value !== 'string') throw appErrors.BAD_ARGUMENT(call.method, `expected the message as a JSON string, got ${value === null ? 'null' : typeof value}`);
  return value;
}

function protoEntry(call: RpcCall): LogEntry {
  if (call.codec !== CODEC_PROTO) throw appErrors.UNSUPPORTED_CODEC(call.method, 'protobuf', codecName(call.codec));
  try {
    return decodeLogEntry(call.body);
  } catch (err) {
    throw appErrors.BAD_ARGUMENT(call.method, `malformed applogger.v1.LogEntry: ${(err as Error).message}`);
  }
}

/** Attributes as log fields, in order; a repeated key keeps its last value. */
function fields(entry: LogEntry): LogFields {
  const out: LogFields = {};
  for (const attr of entry.attributes) out[attr.key] = attr.value;
  return out;
}
