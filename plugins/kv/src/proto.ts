import protobuf from 'protobufjs/light.js';

// kv.v1 from roadrunner-server/api (proto/kv/v1/kv.proto), declared as JSON so nothing is parsed or
// generated at run time.
const root = protobuf.Root.fromJSON({
  nested: {
    kv: {
      nested: {
        v1: {
          nested: {
            Request: {
              fields: {
                storage: { type: 'string', id: 1 },
                items: { rule: 'repeated', type: 'Item', id: 2 },
              },
            },
            Item: {
              fields: {
                key: { type: 'string', id: 1 },
                value: { type: 'bytes', id: 2 },
                timeout: { type: 'string', id: 3 },
              },
            },
            Response: {
              fields: {
                items: { rule: 'repeated', type: 'Item', id: 1 },
              },
            },
          },
        },
      },
    },
  },
});

const RequestType = root.lookupType('kv.v1.Request');
const ResponseType = root.lookupType('kv.v1.Response');

/** One `kv.v1.Item`; absent fields are their proto3 zero values. */
export interface KvWireItem {
  key: string;
  value: Uint8Array;
  timeout: string;
}

/** A decoded `kv.v1.Request`. */
export interface KvWireRequest {
  storage: string;
  items: KvWireItem[];
}

/** A `kv.v1.Response` item to encode; empty fields are left out of the bytes, as protoc does. */
export interface KvReplyItem {
  key: string;
  value?: Uint8Array;
  timeout?: string;
}

interface DecodedItem {
  key?: string;
  value?: Uint8Array;
  timeout?: string;
}

/**
 * Decodes a `kv.v1.Request`. Values are copied: the body is a view into the RPC frame, which a driver
 * keeping the bytes (memory) must not pin.
 *
 * @throws Error (protobufjs) when the bytes are not a valid message.
 */
export function decodeRequest(body: Uint8Array): KvWireRequest {
  const message = RequestType.decode(body) as unknown as { storage?: string; items?: DecodedItem[] };
  return {
    storage: message.storage ?? '',
    items: (message.items ?? []).map((item) => ({
      key: item.key ?? '',
      value: new Uint8Array(item.value ?? new Uint8Array(0)),
      timeout: item.timeout ?? '',
    })),
  };
}

/** Encodes a `kv.v1.Response`; no items is the empty message, zero bytes. */
export function encodeResponse(items: readonly KvReplyItem[]): Buffer {
  if (items.length === 0) return Buffer.alloc(0);
  return toBuffer(ResponseType.encode(ResponseType.fromObject({ items })).finish());
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
