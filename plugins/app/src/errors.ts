import { defineErrors } from '@rr/kernel';

/** The app plugin's error catalogue: `RR_ERR_APP_*`. */
export const appErrors = defineErrors('APP', {
  UNSUPPORTED_CODEC: {
    message: (method: string, expected: string, codec: string) => `${method} takes the ${expected} codec, got ${codec}`,
    hint: 'app.Error/Warning/Info/Debug/Log take a JSON string; the …WithContext methods take an applogger.v1.LogEntry (PROTO)',
  },
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'send the message as a JSON string, or an applogger.v1.LogEntry { message = 1; repeated LogAttrs attributes = 2 } for …WithContext',
  },
});
