import type { ServerResponse } from 'node:http';

/**
 * Responses shorter than this stay plain: gzhttp's DefaultMinSize. A body that fits one packet gains
 * nothing from compression.
 */
export const GZIP_MIN_SIZE = 1024;

/** gzhttp's opt-out header: any value disables compression, and the header never reaches the client. */
export const NO_COMPRESSION_HEADER = 'No-Gzip-Compression';

/**
 * The q-value the client gives `gzip` in Accept-Encoding, 0 when absent. As gzhttp: only the `gzip`
 * token counts (not `*` or `x-gzip`), the first one wins, and an unparsable q-value is 0.
 */
export function gzipQuality(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const item of value.split(',')) {
    const [coding = '', ...params] = item.split(';');
    if (coding.trim().toLowerCase() !== 'gzip') continue;
    let q = 1;
    for (const param of params) {
      const p = param.trim();
      if (p.slice(0, 2).toLowerCase() !== 'q=') continue;
      const n = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(p.slice(2)) ? Number(p.slice(2)) : 0;
      q = Math.min(1, Math.max(0, n));
    }
    return q;
  }
  return 0;
}

const EXCLUDED_PREFIXES = ['video/', 'audio/', 'image/jp'];
const EXCLUDED_PARTS = ['compress', 'zip', 'snappy', 'lzma', 'xz', 'zstd', 'brotli', 'stuffit'];

/**
 * gzhttp's DefaultContentTypeFilter: everything but audio, video, JPEG and already-compressed archive
 * formats. A missing Content-Type is compressible.
 */
export function isCompressibleType(contentType: string | undefined): boolean {
  const ct = (contentType ?? '').trim().toLowerCase();
  if (ct === '') return true;
  if (EXCLUDED_PARTS.some((part) => ct.includes(part))) return false;
  return !EXCLUDED_PREFIXES.some((prefix) => ct.startsWith(prefix));
}

/** A header's value as one string (several lines joined as HTTP allows), or undefined. */
export function headerText(res: ServerResponse, name: string): string | undefined {
  const value = res.getHeader(name);
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Appends `Accept-Encoding` to Vary unless it (or `*`) is already there. */
export function addVaryAcceptEncoding(res: ServerResponse): void {
  const current = headerText(res, 'vary');
  if (current === undefined || current.trim() === '') {
    res.setHeader('Vary', 'Accept-Encoding');
    return;
  }
  const tokens = current.split(',').map((t) => t.trim().toLowerCase());
  if (tokens.includes('*') || tokens.includes('accept-encoding')) return;
  res.setHeader('Vary', `${current}, Accept-Encoding`);
}

/**
 * A strong ETag names one byte sequence; the gzipped body is another, so its tag becomes weak
 * (RFC 9110 §8.8.1, as nginx does). Weak comparison, which If-None-Match uses, still matches it.
 */
export function weakenEtag(res: ServerResponse): void {
  const etag = headerText(res, 'etag');
  if (etag === undefined || etag === '' || etag.startsWith('W/')) return;
  res.setHeader('ETag', `W/${etag}`);
}
