import { fail, ok, scalar, typeName, type ScalarFailure, type ScalarResult, type ScalarSchema } from './scalar.js';

function parseArgv(input: unknown): ScalarResult<string[]> {
  const empty = () => fail<string[]>({ code: 'too_small', minimum: 1, message: 'expected a command, received an empty value' });
  if (typeof input === 'string') {
    const argv = input.split(/\s+/).filter((s) => s !== '');
    return argv.length === 0 ? empty() : ok(argv);
  }
  if (!Array.isArray(input)) return fail({ code: 'invalid_type', expected: 'string', message: `expected a command string or a list of arguments, received ${typeName(input)}` });
  const failures: ScalarFailure[] = [];
  input.forEach((item: unknown, i) => {
    if (typeof item !== 'string') failures.push({ code: 'invalid_type', expected: 'string', path: [i], message: `expected an argument string, received ${typeName(item)}` });
  });
  if (failures.length > 0) return { ok: false, failures };
  return input.length === 0 ? empty() : ok([...(input as string[])]);
}

/**
 * A command (`server.command`, `pool.command`, service `command`) as argv: a string is split on whitespace
 * (RoadRunner runs no shell, so there is no quoting), a YAML list is used item for item. Empty is rejected
 * (`RR_ERR_CONFIG_TOO_SMALL`); make the field `.optional()` where a command may be absent.
 *
 * @example stringOrList() parses "php worker.php -v" → ['php', 'worker.php', '-v']; ['php', 'my worker.php'] as given.
 */
export function stringOrList(): ScalarSchema<string[], string | string[]> {
  return scalar({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'command: a string split on whitespace, or a list of arguments' }, parseArgv);
}
