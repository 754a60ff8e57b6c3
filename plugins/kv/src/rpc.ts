import type { KvExpiry, KvItem, KvStorage, Logger, RpcCall, RpcEndpoint, RpcHandler } from '@rr/contracts';
import { isRrError, type RrError } from '@rr/kernel';
import { kvErrors } from './errors.js';
import { decodeRequest, encodeResponse, type KvReplyItem, type KvWireRequest } from './proto.js';
import type { KvStorages } from './storages.js';
import { formatDeadline, parseDeadline } from './timeout.js';

const CODEC_PROTO = 0x80;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x08: 'JSON', 0x10: 'msgpack', 0x20: 'gob' };

type Operation = (request: Request) => Promise<Buffer>;

/** A decoded call with its storage looked up. */
interface Request {
  method: string;
  storageName: string;
  storage: KvStorage;
  body: KvWireRequest;
}

/**
 * The `kv` service (RoadRunner's kv RPC, PROTOCOL §5.5): every method takes a protobuf `kv.v1.Request`
 * and answers a `kv.v1.Response`:
 * - `Has` → the items (key only) that exist; `MGet` → items (key, value) found; `TTL` → items (key,
 *   timeout) found, timeout RFC 3339 in whole seconds with `+00:00`, `""` for no expiry;
 * - `Set`, `MExpire`, `Delete`, `Clear` → the empty Response (zero bytes).
 *
 * Driver failures that are RrErrors reach PHP unchanged (the memcached `memcached_plugin_ttl` text);
 * anything else becomes `RR_ERR_KV_DRIVER` naming the storage and method.
 */
export function createKvRpc(storages: KvStorages, log: Logger): RpcEndpoint {
  const operations: Record<string, Operation> = {
    Has: async ({ storage, body }) => {
      const keys = keysOf(body);
      if (keys.length === 0) return encodeResponse([]);
      const found = await storage.has(keys);
      return encodeResponse(found.map((key) => ({ key })));
    },
    Set: async ({ method, storage, body }) => {
      const items = body.items.map((item): KvItem => {
        const expiresAt = item.timeout === '' ? undefined : deadline(method, item.key, item.timeout);
        return { key: item.key, value: item.value, expiresAt };
      });
      if (items.length > 0) await storage.set(items);
      return encodeResponse([]);
    },
    MGet: async ({ storage, body }) => {
      const keys = keysOf(body);
      if (keys.length === 0) return encodeResponse([]);
      const values = await storage.mget(keys);
      return encodeResponse(keys.flatMap((key): KvReplyItem[] => {
        const value = values.get(key);
        return value === undefined ? [] : [{ key, value }];
      }));
    },
    MExpire: async ({ method, storage, body }) => {
      const items = body.items.map((item): KvExpiry => {
        if (item.timeout === '') throw kvErrors.BAD_TIMEOUT(method, item.key, item.timeout, 'MExpire needs a deadline');
        return { key: item.key, expiresAt: deadline(method, item.key, item.timeout) };
      });
      if (items.length > 0) await storage.mexpire(items);
      return encodeResponse([]);
    },
    TTL: async ({ storage, body }) => {
      const keys = keysOf(body);
      if (keys.length === 0) return encodeResponse([]);
      const deadlines = await storage.ttl(keys);
      return encodeResponse(keys.flatMap((key): KvReplyItem[] => {
        const ms = deadlines.get(key);
        if (ms === undefined) return [];
        const timeout = ms === null ? '' : formatDeadline(ms);
        if (timeout === undefined) throw new Error(`the driver returned an invalid deadline ${String(ms)} for key ${JSON.stringify(key)}`);
        return [{ key, timeout }];
      }));
    },
    Delete: async ({ storage, body }) => {
      const keys = keysOf(body);
      if (keys.length > 0) await storage.delete(keys);
      return encodeResponse([]);
    },
    Clear: async ({ storage }) => {
      await storage.clear();
      return encodeResponse([]);
    },
  };

  const methods: Record<string, RpcHandler> = {};
  for (const [name, operation] of Object.entries(operations)) {
    methods[name] = async (call: RpcCall) => {
      const request = decode(call, storages);
      try {
        return await operation(request);
      } catch (err) {
        throw asWireError(err, request, log);
      }
    };
  }
  return { namespace: 'kv', methods };
}

/** Checks codec, body, storage and keys before the driver sees anything. */
function decode(call: RpcCall, storages: KvStorages): Request {
  const { method } = call;
  if (call.codec !== CODEC_PROTO) throw kvErrors.UNSUPPORTED_CODEC(method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
  let body: KvWireRequest;
  try {
    body = decodeRequest(call.body);
  } catch (err) {
    throw kvErrors.BAD_REQUEST(method, err instanceof Error ? err.message : String(err), { cause: err });
  }
  const storage = storages.get(body.storage);
  if (storage === undefined) throw kvErrors.NO_SUCH_STORAGE(body.storage);
  // RoadRunner's drivers refuse blank keys too (strings.TrimSpace(key) == "").
  if (body.items.some((item) => item.key.trim() === '')) throw kvErrors.EMPTY_KEY(method, body.storage);
  return { method, storageName: body.storage, storage, body };
}

/** The request's keys in order, each once (the driver contract reports each key once). */
function keysOf(body: KvWireRequest): string[] {
  return [...new Set(body.items.map((item) => item.key))];
}

function deadline(method: string, key: string, timeout: string): number {
  const parsed = parseDeadline(timeout);
  if (!parsed.ok) throw kvErrors.BAD_TIMEOUT(method, key, timeout, parsed.problem);
  return parsed.ms;
}

function asWireError(err: unknown, request: Request, log: Logger): RrError {
  if (isRrError(err) && err.code.startsWith('RR_ERR_KV_')) return err;
  log.debug('kv driver call failed', { storage: request.storageName, method: request.method, error: err instanceof Error ? err.message : String(err) });
  if (isRrError(err)) return err;
  return kvErrors.DRIVER(request.storageName, request.method, err instanceof Error ? err.message : String(err), { cause: err });
}
