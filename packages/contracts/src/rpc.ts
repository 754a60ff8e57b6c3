import { manyRef } from '@rr/kernel';

/** One RPC call as a handler sees it. */
export interface RpcCall {
  /** The full wire name, e.g. `kv.Set`. */
  method: string;
  /** The argument bytes after the method name, still encoded. */
  body: Buffer;
  /** The codec flag of the request frame (0x08 JSON, 0x80 PROTO, 0x04 RAW). */
  codec: number;
}

/**
 * Handles one method. Return a Buffer/Uint8Array to send bytes as they are (PROTO, RAW), or any other
 * value to have it JSON-encoded (JSON codec). Throw an RrError to answer `"<code>: <message>"`.
 */
export type RpcHandler = (call: RpcCall) => unknown;

/** A plugin's RPC service: `namespace.Method` on the wire. Method keys are PascalCase wire names. */
export interface RpcEndpoint {
  namespace: string;
  methods: Readonly<Record<string, RpcHandler>>;
}

/** Every plugin that has RPC methods provides one; the rpc plugin collects them. */
export const rpcEndpointsRef = manyRef<RpcEndpoint>('rpc.endpoints');
