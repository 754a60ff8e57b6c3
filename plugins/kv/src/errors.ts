import { defineErrors } from '@rr/kernel';

/**
 * The kv plugin's error catalogue: `RR_ERR_KV_*`. The PHP kv client matches the substring
 * `no such storage` (StorageException), so NO_SUCH_STORAGE keeps it in its message.
 */
export const kvErrors = defineErrors('KV', {
  CONFIG_INVALID: {
    message: (summary: string) => `kv storages are invalid:\n${summary}`,
    hint: 'fix the listed keys in .rr.yaml; each issue names its dotted path',
  },
  MISSING_DRIVER: {
    message: (available: string) => `required: every storage names its driver (available: ${available})`,
    hint: 'add `driver: <name>` to the storage, e.g. driver: memory',
  },
  UNKNOWN_DRIVER: {
    message: (driver: string, available: string) =>
      `unknown driver ${JSON.stringify(driver)} (available: ${available}); a driver exists only when its plugin is compiled into rr`,
    hint: 'fix the name, or add the driver’s plugin (memory, boltdb, redis, memcached …) to the plugin list of your build',
  },
  DUPLICATE_DRIVER: {
    message: (driver: string, count: number) => `${count} plugins provide the kv driver ${JSON.stringify(driver)}`,
    hint: 'a driver name belongs to one plugin: remove the extra plugin from the build',
  },
  OPEN_FAILED: {
    message: (storage: string, driver: string, cause: string) => `cannot open kv storage ${JSON.stringify(storage)} (driver ${driver}): ${cause}`,
    hint: 'check the storage’s backend (address, credentials, file permissions) and kv.<storage>.config',
  },
  CLOSE_FAILED: {
    message: (storages: string, cause: string) => `cannot close kv storage ${storages}: ${cause}`,
  },
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes the protobuf codec, got ${codec}`,
    hint: 'kv methods take a protobuf kv.v1.Request, as the PHP kv client sends it',
  },
  BAD_REQUEST: {
    message: (method: string, problem: string) => `${method}: malformed kv.v1.Request: ${problem}`,
    hint: 'send a protobuf kv.v1.Request { storage = 1; repeated Item items = 2 }',
  },
  NO_SUCH_STORAGE: {
    message: (storage: string) => (storage === '' ? 'no such storage "": the request names no storage' : `no such storage ${JSON.stringify(storage)}`),
    hint: 'use a storage declared under kv: in .rr.yaml',
  },
  EMPTY_KEY: {
    message: (method: string, storage: string) => `${method}: empty key in storage ${JSON.stringify(storage)}`,
    hint: 'keys must contain at least one non-blank character',
  },
  BAD_TIMEOUT: {
    message: (method: string, key: string, timeout: string, problem: string) =>
      `${method}: invalid timeout ${JSON.stringify(timeout)} for key ${JSON.stringify(key)}: ${problem}`,
    hint: 'a timeout is an absolute RFC 3339 timestamp, e.g. 2026-11-23T17:00:00+00:00',
  },
  DRIVER: {
    message: (storage: string, method: string, cause: string) => `storage ${JSON.stringify(storage)}: ${method} failed: ${cause}`,
  },
});
