import { defineErrors } from '@rr/errors';

/** The sendfile plugin's error catalogue: `RR_ERR_SENDFILE_*`. Logged (the client gets a status), never thrown. */
export const sendfileErrors = defineErrors('SENDFILE', {
  FORBIDDEN_PATH: {
    message: (path: string) => `X-Sendfile path ${path} was refused (403): it must be absolute, without ".." or NUL bytes`,
    hint: 'send an absolute, normalised path in X-Sendfile (PHP: realpath($file))',
  },
  NOT_FOUND: {
    message: (path: string, reason: string) => `X-Sendfile file ${path} was not found (404): ${reason}`,
    hint: 'the worker named a file that does not exist (or is not a regular file) on the host rr runs on',
  },
  READ_FAILED: {
    message: (path: string, reason: string) => `X-Sendfile file ${path} could not be read: ${reason}`,
    hint: 'check that the user rr runs as may read the file; a failure mid-stream cuts the response',
  },
});
