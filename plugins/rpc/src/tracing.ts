import type { RpcEndpoint, RpcHandler, Tracer } from '@rr/contracts';
import { isRrError } from '@rr/kernel';

/**
 * The endpoint with every method wrapped in a SERVER span named as the wire method (`kv.Set`). Goridge
 * frames carry no headers, so a span has no remote parent. Built once at init, and only when a tracer
 * exists: without one the handlers are registered as they are and a call pays nothing.
 */
export function tracedEndpoint(endpoint: RpcEndpoint, tracer: Tracer): RpcEndpoint {
  const { namespace } = endpoint;
  const methods = Object.fromEntries(Object.entries(endpoint.methods).map(([method, handler]) => [method, traced(tracer, namespace, method, handler)]));
  return { namespace, methods };
}

function traced(tracer: Tracer, namespace: string, method: string, handler: RpcHandler): RpcHandler {
  const name = `${namespace}.${method}`;
  const attributes = { 'rr.plugin': 'rpc', 'rpc.system': 'goridge', 'rpc.service': namespace, 'rpc.method': method, 'process.pid': process.pid };
  return (call) => {
    const span = tracer.startSpan(name, { kind: 'server', attributes });
    const failed = (err: unknown): never => {
      span.setAttributes({ 'error.type': isRrError(err) ? err.code : err instanceof Error ? err.name : typeof err });
      span.fail(isRrError(err) ? err.toWire() : err instanceof Error ? err.message : String(err), err);
      span.end();
      throw err;
    };
    let result: unknown;
    try {
      result = handler(call);
    } catch (err) {
      return failed(err);
    }
    if (isThenable(result)) {
      return result.then((value) => {
        span.end();
        return value;
      }, failed);
    }
    span.end();
    return result;
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
