import { defineErrors } from '@rr/kernel';

/** The greeter's error catalogue: `RR_ERR_GREETER_*`. PHP clients branch on the code. */
export const greeterErrors = defineErrors('GREETER', {
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'call greeter methods with the JSON codec and an object, e.g. {"name": "Ada"}',
  },
  NAME_TOO_LONG: {
    message: (length: number, max: number) => `the name has ${String(length)} characters, more than greeter.max_name_length (${String(max)})`,
    hint: 'send a shorter name, or raise greeter.max_name_length in .rr.yaml',
  },
});
