import { defineErrors } from '@rr/kernel';

/**
 * This plugin's error catalogue: every code is `RR_ERR___UPPER___<KEY>`. Callers (and PHP clients)
 * branch on the code, never on the message; a code, once released, keeps its meaning.
 */
export const __CAMEL__Errors = defineErrors('__UPPER__', {
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'call it with the JSON codec and an object such as {"message": "hello"}',
  },
  TOO_LONG: {
    message: (length: number, max: number) => `the message has ${String(length)} characters, more than max_length (${String(max)})`,
    hint: 'send a shorter message, or raise __PLUGIN_ID__.max_length in .rr.yaml',
  },
});
