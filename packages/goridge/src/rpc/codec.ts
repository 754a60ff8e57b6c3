import { CODEC_GOB, CODEC_JSON, CODEC_MSGPACK, CODEC_PROTO, CODEC_RAW } from '../frame.js';

/** An RPC codec: one of the CODEC_* flag bits. */
export type RpcCodec = typeof CODEC_PROTO | typeof CODEC_JSON | typeof CODEC_RAW | typeof CODEC_MSGPACK | typeof CODEC_GOB;

/**
 * The codec of an RPC request from its flags byte, as Go's goridge codec picks it: the first bit set among
 * PROTO, JSON, RAW, MSGPACK, GOB; no codec bit means GOB.
 */
export function rpcCodecOf(flags: number): RpcCodec {
  if (flags & CODEC_PROTO) return CODEC_PROTO;
  if (flags & CODEC_JSON) return CODEC_JSON;
  if (flags & CODEC_RAW) return CODEC_RAW;
  if (flags & CODEC_MSGPACK) return CODEC_MSGPACK;
  return CODEC_GOB;
}

/** A codec's name for messages: `json`, `protobuf`, `raw`, `msgpack`, `gob`. */
export function codecName(codec: number): string {
  return NAMES[rpcCodecOf(codec)];
}

const NAMES: Record<RpcCodec, string> = {
  [CODEC_PROTO]: 'protobuf',
  [CODEC_JSON]: 'json',
  [CODEC_RAW]: 'raw',
  [CODEC_MSGPACK]: 'msgpack',
  [CODEC_GOB]: 'gob',
};
