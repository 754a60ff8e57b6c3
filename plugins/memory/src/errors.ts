import { defineErrors } from '@rr/errors';

/** The memory plugin's error catalogue: `RR_ERR_MEMORY_*`. */
export const memoryErrors = defineErrors('MEMORY', {
  CLOSED: {
    message: (storage: string) => `memory storage ${storage} is closed`,
    hint: 'the kv plugin closed this storage (rr is stopping); retry after rr restarts',
  },
  PIPELINE_STOPPED: {
    message: (pipeline: string) => `memory pipeline ${pipeline} is stopped`,
    hint: 'the jobs plugin stopped or destroyed this pipeline (rr is stopping, or jobs.Destroy ran); push to a live pipeline',
  },
});
