import { defineErrors } from '@rr/errors';

/** The gzip plugin's error catalogue: `RR_ERR_GZIP_*`. Logged, never thrown at a caller. */
export const gzipErrors = defineErrors('GZIP', {
  COMPRESS_FAILED: {
    message: (uri: string, reason: string) => `gzip compression of the response to ${uri} failed: ${reason}`,
    hint: 'the response was cut; this points to a bug or to memory exhaustion (zlib), so report it with the log line',
  },
});
