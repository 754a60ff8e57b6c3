import { defineErrors } from '@rr/errors';

/**
 * The memcached driver's error catalogue: `RR_ERR_MEMCACHED_*`. `address` is a server as written in `addr`.
 * TTL_UNSUPPORTED keeps RoadRunner's `memcached_plugin_ttl` in its message: the PHP kv client maps
 * `_plugin_ttl` to NotImplementedException.
 */
export const memcachedErrors = defineErrors('MEMCACHED', {
  UNAVAILABLE: {
    message: (address: string, storage: string, cause: string) => `memcached at ${address} is unavailable (kv storage ${JSON.stringify(storage)}): ${cause}`,
    hint: 'check that memcached runs and that addr points to it; rr connects again on the next call, so the storage works as soon as the server answers, without a restart',
  },
  BAD_KEY: {
    message: (key: string, problem: string) => `memcached cannot store the key ${JSON.stringify(key)}: ${problem}`,
    hint: 'memcached keys are 1 to 250 bytes of UTF-8; keys with spaces or control characters travel base64-encoded and so are limited to 186 bytes',
  },
  VALUE_TOO_LARGE: {
    message: (key: string, bytes: number, address: string) => `memcached at ${address} refused the value of key ${JSON.stringify(key)} (${bytes} bytes): larger than its item size limit`,
    hint: "memcached's item size limit is its -I option (1m by default): store smaller values, or start memcached with a larger -I",
  },
  SERVER_ERROR: {
    message: (address: string, key: string, reply: string) => `memcached at ${address} failed on key ${JSON.stringify(key)}: ${reply}`,
    hint: 'out of memory: memcached cannot evict enough to store the item (see its -m and -M options)',
  },
  PROTOCOL: {
    message: (address: string, reply: string) => `memcached at ${address} answered something rr does not understand: ${JSON.stringify(reply)}`,
    hint: "rr speaks memcached's meta protocol (mg, ms, md): memcached 1.6 or later is required; check that addr points to memcached",
  },
  TTL_UNSUPPORTED: {
    message: (storage: string) => `memcached_plugin_ttl: memcached cannot report the time to live of a key (kv storage ${JSON.stringify(storage)})`,
    hint: 'memcached stores deadlines but cannot read them back: keep the deadline next to the value, or use the redis or boltdb driver',
  },
  CLOSED: {
    message: (storage: string) => `kv storage ${JSON.stringify(storage)} (memcached) is closed`,
    hint: 'rr is stopping: the storage was closed by the kv plugin',
  },
});
