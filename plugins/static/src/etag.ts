import type { BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * RoadRunner's CRC-32 (`crc32.MakeTable(0x48D90782)` in static/etag.go): the reflected polynomial
 * 0x48D90782 with Go's usual pre- and post-inversion. Mirrored so our ETags equal RoadRunner's for the
 * same content, and caches warmed by one keep validating against the other.
 */
export function makeCrc32Table(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let j = 0; j < 8; j++) crc = crc & 1 ? (crc >>> 1) ^ poly : crc >>> 1;
    table[i] = crc >>> 0;
  }
  return table;
}

const RR_TABLE = makeCrc32Table(0x48d90782);

/** Continues a CRC-32 over `data`; start with `crc32(table, data)` and feed the result back as `crc`. */
export function crc32(data: Uint8Array, table: Uint32Array = RR_TABLE, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = (table[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** RoadRunner's strong ETag: `"<length>-<crc32>"` in decimal; none for an empty body. */
export function strongEtag(length: number, crc: number): string | undefined {
  return length === 0 ? undefined : `"${length}-${crc}"`;
}

/**
 * The weak ETag, from metadata only: `W/"<size>-<mtime seconds>.<mtime nanoseconds>"`, RoadRunner's
 * current form. (Its older form hashed the file name alone, so an edited file kept its ETag and clients
 * were answered 304 with stale content forever.)
 */
export function weakEtag(stat: BigIntStats): string {
  const ns = stat.mtimeNs;
  return `W/"${stat.size}-${ns / 1_000_000_000n}.${ns % 1_000_000_000n}"`;
}

interface CachedEtag {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  etag: string | undefined;
}

/**
 * Strong ETags by real path, reused while inode, size and mtime are unchanged: RoadRunner reads the whole
 * file on every request; we read it once per version. Bounded, oldest entry evicted first.
 */
export class EtagCache {
  readonly #entries = new Map<string, CachedEtag>();

  constructor(private readonly max = 4096) {}

  async strong(path: string, fh: FileHandle, stat: BigIntStats): Promise<string | undefined> {
    const hit = this.#entries.get(path);
    if (hit && hit.ino === stat.ino && hit.size === stat.size && hit.mtimeNs === stat.mtimeNs) return hit.etag;
    const buf = Buffer.allocUnsafe(64 * 1024);
    let crc = 0;
    let length = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, length);
      if (bytesRead === 0) break;
      crc = crc32(buf.subarray(0, bytesRead), RR_TABLE, crc);
      length += bytesRead;
    }
    const etag = strongEtag(length, crc);
    this.#entries.delete(path);
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(path, { ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs, etag });
    return etag;
  }
}
