import { memcachedErrors } from './errors.js';

/** memcached's KEY_MAX_LENGTH, in bytes. */
export const MAX_KEY_BYTES = 250;
/** The longest key whose base64 form (with padding) still fits in {@link MAX_KEY_BYTES}. */
export const MAX_BINARY_KEY_BYTES = 186;

/** A key as it goes on the wire (latin1 strings: one char per byte). */
export interface WireKey {
  readonly key: string;
  readonly bytes: Buffer;
  /** The key token: the key's bytes, or their base64. */
  readonly token: string;
  /** `' b'` when the token is base64, else `''`; goes among the command's flags. */
  readonly flag: string;
}

/**
 * Validates a key and encodes it for the meta protocol. A key memcached's text protocol can carry (no
 * space, no control character: what gomemcache accepts) is sent as it is, so rr and RoadRunner address
 * the same items; any other key is sent base64-encoded with the `b` flag, which memcached decodes back to
 * the same bytes.
 *
 * @throws RR_ERR_MEMCACHED_BAD_KEY for an empty key, one over 250 bytes, or one with spaces or control
 * characters over 186 bytes.
 */
export function wireKey(key: string): WireKey {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.length === 0) throw memcachedErrors.BAD_KEY(key, 'the key is empty');
  if (bytes.length > MAX_KEY_BYTES) throw memcachedErrors.BAD_KEY(key, `it is ${bytes.length} bytes long, memcached allows ${MAX_KEY_BYTES}`);
  if (bytes.every((b) => b > 0x20 && b !== 0x7f)) return { key, bytes, token: bytes.toString('latin1'), flag: '' };
  if (bytes.length > MAX_BINARY_KEY_BYTES) {
    throw memcachedErrors.BAD_KEY(key, `it has spaces or control characters and is ${bytes.length} bytes long; such keys travel base64-encoded, which allows ${MAX_BINARY_KEY_BYTES}`);
  }
  return { key, bytes, token: bytes.toString('base64'), flag: ' b' };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), as Go's crc32.ChecksumIEEE. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The server index of a key: gomemcache's ServerList picks `crc32(key) % servers`, and so does rr. */
export function serverIndex(key: WireKey, servers: number): number {
  return servers === 1 ? 0 : crc32(key.bytes) % servers;
}
