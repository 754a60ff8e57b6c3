export {
  CONTROL,
  CODEC_RAW,
  CODEC_JSON,
  CODEC_MSGPACK,
  CODEC_GOB,
  ERROR,
  CODEC_PROTO,
  STREAM,
  STOP,
  PING,
  PONG,
  VERSION,
  HEADER_SIZE,
  MAX_OPTIONS,
  MAX_PAYLOAD_LENGTH,
  encodeFrame,
  encodeData,
  headerCrc,
  type Frame,
  type FrameInit,
  type PayloadInput,
} from './frame.js';
export { FrameDecoder, decodeFrame, DEFAULT_MAX_PAYLOAD, type FrameDecoderOptions } from './decoder.js';
export { goridgeErrors } from './errors.js';
export { StreamRelay, type Relay, type RelayEvents, type RelayOptions } from './relay/stream-relay.js';
export { SocketRelay, connectRelay, type ConnectOptions } from './relay/socket-relay.js';
export { RelayListener, type RelayListenerOptions, type RelayListenerEvents } from './relay/relay-listener.js';
export { handshake } from './relay/handshake.js';
export { parseDsn, formatDsn, type Dsn } from './relay/dsn.js';
export { RpcServer, type RpcServerOptions, type RpcServerEvents, type RpcService, type RpcHandler, type RpcRequest } from './rpc/server.js';
export { RpcClient } from './rpc/client.js';
export { rpcCodecOf, codecName, type RpcCodec } from './rpc/codec.js';
