import type { Logger, RpcCall, RpcEndpoint } from '@rr/contracts';
import type { __PASCAL__Config } from './config.js';
import { __CAMEL__Errors } from './errors.js';

/** The codec flag of a JSON-encoded Goridge RPC call (what PHP's JsonCodec sends). */
const CODEC_JSON = 0x08;

/**
 * The `__PLUGIN_ID__` RPC service: `__PLUGIN_ID__.Echo` takes `{"message": string}` and answers
 * `{"message": prefix + message}`. Handlers validate, then delegate; errors are thrown as coded
 * RrErrors and reach the client as `"<code>: <message>"`.
 */
export function create__PASCAL__Rpc(config: Readonly<__PASCAL__Config>, log: Logger): RpcEndpoint {
  return {
    namespace: '__PLUGIN_ID__',
    methods: {
      Echo: (call) => {
        const { message } = jsonArgument(call);
        if (typeof message !== 'string') throw __CAMEL__Errors.BAD_ARGUMENT(call.method, 'expected {"message": string}');
        if (message.length > config.max_length) throw __CAMEL__Errors.TOO_LONG(message.length, config.max_length);
        log.debug('echo', { length: message.length });
        return { message: `${config.prefix}${message}` };
      },
    },
  };
}

function jsonArgument(call: RpcCall): Record<string, unknown> {
  if (call.codec !== CODEC_JSON) throw __CAMEL__Errors.BAD_ARGUMENT(call.method, 'only the JSON codec is supported');
  let value: unknown;
  try {
    value = JSON.parse(call.body.toString('utf8'));
  } catch {
    throw __CAMEL__Errors.BAD_ARGUMENT(call.method, 'the argument is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw __CAMEL__Errors.BAD_ARGUMENT(call.method, 'expected a JSON object');
  return value as Record<string, unknown>;
}
