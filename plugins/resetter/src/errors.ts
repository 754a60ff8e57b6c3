import { defineErrors } from '@rr/kernel';

/** The resetter plugin's error catalogue: `RR_ERR_RESETTER_*`. */
export const resetterErrors = defineErrors('RESETTER', {
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes the JSON codec, got ${codec}`,
    hint: 'call resetter methods with the JSON codec, as rr reset and the PHP SDK do',
  },
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'pass the plugin name as a JSON string, e.g. "http"',
  },
  // RoadRunner's wording is kept: clients may match on it.
  NO_SUCH_PLUGIN: {
    message: (plugin: string) => `no such plugin: ${plugin}`,
    hint: 'resetter.List (rr reset without arguments) names the plugins that can be reset',
  },
  DUPLICATE_RESETTABLE: {
    message: (name: string) => `two resettable plugins are named "${name}"`,
    hint: 'each plugin registers for reset under its own id',
  },
  RESET_FAILED: {
    message: (plugin: string, reason: string) => `reset of ${plugin} failed: ${reason}`,
  },
});
