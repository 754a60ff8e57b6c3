import protobuf from 'protobufjs/minimal.js';

/** A decoded `google.rpc.Status`: code, message and the raw `google.protobuf.Any` details. */
export interface RpcStatus {
  code: number;
  message: string;
  details: Buffer[];
}

/** Decodes `google.rpc.Status` (1: int32 code, 2: string message, 3: repeated Any details). */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const reader = protobuf.Reader.create(bytes);
  const status: RpcStatus = { code: 0, message: '', details: [] };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        status.code = reader.int32();
        break;
      case 2:
        status.message = reader.string();
        break;
      case 3:
        status.details.push(Buffer.from(reader.bytes()));
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  return status;
}

/** Encodes `google.rpc.Status`, the value of the `grpc-status-details-bin` trailer. */
export function encodeRpcStatus(status: RpcStatus): Buffer {
  const writer = protobuf.Writer.create();
  if (status.code !== 0) writer.uint32(8).int32(status.code);
  if (status.message !== '') writer.uint32(18).string(status.message);
  for (const d of status.details) writer.uint32(26).bytes(d);
  return Buffer.from(writer.finish());
}

/**
 * True when `bytes` parse as a `google.protobuf.Any` (1: string type_url, 2: bytes value; unknown
 * fields allowed), as Go's proto.Unmarshal decides for the legacy `code|:|message|:|details` errors.
 */
export function isAny(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  try {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 0) return false;
      if ((field === 1 || field === 2) && wire !== 2) return false;
      if (field === 1) reader.string();
      else reader.skipType(wire);
    }
    return reader.pos === reader.len;
  } catch {
    return false;
  }
}
