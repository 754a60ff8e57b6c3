export { gzipPlugin, gzipPlugin as default } from './plugin.js';
export { createGzipMiddleware, compressResponse } from './gzip.js';
export { GZIP_MIN_SIZE, NO_COMPRESSION_HEADER, gzipQuality, isCompressibleType } from './rules.js';
export { gzipErrors } from './errors.js';
