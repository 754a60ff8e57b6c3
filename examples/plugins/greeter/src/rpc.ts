import type { Logger, RpcCall, RpcEndpoint, Tracer } from '@rr/contracts';
import { isRrError } from '@rr/kernel';
import { greeterErrors } from './errors.js';
import type { Greeter } from './greeter.js';

const CODEC_JSON = 0x08;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x80: 'protobuf', 0x10: 'msgpack', 0x20: 'gob' };

/**
 * The `greeter` RPC service (JSON codec):
 * - `Hello` `{"name"?: string}` → `{"message": string, "count": number}`;
 * - `Stats` (argument ignored) → `{"total": number, "names": number}`.
 * With a tracer (the otel plugin), every Hello is a span `greeter.Hello`.
 */
export function createGreeterRpc(greeter: Greeter, log: Logger, tracer?: Tracer): RpcEndpoint {
  return {
    namespace: 'greeter',
    methods: {
      Hello: (call) => {
        const span = tracer?.startSpan('greeter.Hello', { kind: 'server', attributes: { 'rpc.system': 'goridge', 'rpc.method': 'Hello' } });
        try {
          const greeting = greeter.greet(nameArgument(call));
          log.debug('greeted', { count: greeting.count });
          span?.setAttributes({ 'greeter.count': greeting.count });
          return greeting;
        } catch (err) {
          span?.fail(isRrError(err) ? err.code : String(err), err);
          throw err;
        } finally {
          span?.end();
        }
      },
      Stats: (call) => {
        requireJson(call);
        return { total: greeter.total, names: greeter.names };
      },
    },
  };
}

function requireJson(call: RpcCall): void {
  if (call.codec !== CODEC_JSON) {
    throw greeterErrors.BAD_ARGUMENT(call.method, `only the JSON codec is supported, got ${CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`}`);
  }
}

/** The `name` of `{"name": …}`; an empty body, `null`, `{}` or `""` mean the default name. */
function nameArgument(call: RpcCall): string {
  requireJson(call);
  if (call.body.length === 0) return '';
  let value: unknown;
  try {
    value = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw greeterErrors.BAD_ARGUMENT(call.method, 'the argument is not valid JSON');
  }
  if (value === null) return '';
  if (typeof value !== 'object' || Array.isArray(value)) throw greeterErrors.BAD_ARGUMENT(call.method, 'expected an object such as {"name": "Ada"}');
  const name: unknown = (value as Record<string, unknown>).name;
  if (name === undefined || name === null) return '';
  if (typeof name !== 'string') throw greeterErrors.BAD_ARGUMENT(call.method, `name must be a string, got ${typeof name}`);
  return name;
}
