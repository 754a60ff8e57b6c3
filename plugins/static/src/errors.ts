import { defineErrors } from '@rr/errors';

/** The static plugin's error catalogue: `RR_ERR_STATIC_*`. Only init fails; requests never raise. */
export const staticErrors = defineErrors('STATIC', {
  DIR_NOT_FOUND: {
    message: (dir: string, reason: string) => `http.static.dir ${dir} cannot be opened: ${reason}`,
    hint: 'create the folder, or point http.static.dir at an existing one (relative paths start at the working directory)',
  },
  NOT_A_DIRECTORY: {
    message: (dir: string) => `http.static.dir ${dir} is not a directory`,
    hint: 'http.static.dir names the folder to serve, not a file',
  },
});
