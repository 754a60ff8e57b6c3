import { defineErrors } from '@rr/kernel';

/** The informer plugin's error catalogue: `RR_ERR_INFORMER_*`. */
export const informerErrors = defineErrors('INFORMER', {
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes the JSON codec, got ${codec}`,
    hint: 'call informer methods with the JSON codec, as the PHP WorkerPool and rr workers do',
  },
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'pass the plugin name as a JSON string, e.g. "http"',
  },
  // RoadRunner's wording is kept: clients may match on it.
  NO_WORKER_MANAGEMENT: {
    message: (plugin: string) => `plugin ${plugin} does not support workers management`,
    hint: 'informer.List names the plugins that own workers',
  },
  DUPLICATE_SOURCE: {
    message: (name: string) => `two worker sources are named "${name}"`,
    hint: 'each plugin reports its workers under its own id',
  },
  JOBS_TIMEOUT: {
    message: (plugin: string, ms: number) => `${plugin} did not report its jobs state within ${ms} ms`,
  },
});
