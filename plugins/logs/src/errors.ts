import { defineErrors } from '@rr/kernel';

/** The logs plugin's error catalogue: `RR_ERR_LOGS_*`. */
export const logsErrors = defineErrors('LOGS', {
  OUTPUT_UNOPENABLE: {
    message: (key: string, target: string, reason: string) => `${key}: cannot open log output ${target}: ${reason}`,
    hint: 'the directory must exist and be writable; rr does not create it (use stderr, stdout or an existing directory)',
  },
  CONFIG_INVALID: {
    message: (summary: string) => `invalid logs configuration:\n${summary}`,
    hint: 'fix the listed keys under "logs" in .rr.yaml; each issue names its dotted path',
  },
});

/** Warning codes the logs plugin logs (never thrown). */
export const logsWarnings = {
  /** `logs.mode` (or a channel's mode) is not one of development, production, raw, off, none: development is used, as RoadRunner does. */
  UNKNOWN_MODE: 'RR_WARN_LOGS_UNKNOWN_MODE',
} as const;
