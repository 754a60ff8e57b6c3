import { describe, expect, it } from 'vitest';
import { stringOrList } from '../src/index.js';
import { check } from './helpers.js';

describe('stringOrList()', () => {
  it.each([
    ['splits a string on whitespace', 'php worker.php', ['php', 'worker.php']],
    ['collapses runs of whitespace and trims', '  php\t -d  memory_limit=1G\nworker.php ', ['php', '-d', 'memory_limit=1G', 'worker.php']],
    ['does no shell quoting, as RoadRunner runs no shell', 'php "my worker.php"', ['php', '"my', 'worker.php"']],
    ['uses a list as given', ['php', 'my worker.php'], ['php', 'my worker.php']],
    ['keeps empty list items', ['php', ''], ['php', '']],
  ])('%s', (_name, input, expected) => {
    expect(check(stringOrList(), input)).toEqual({ value: expected });
  });

  it.each([
    ['an empty string', '', [{ path: 'f', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['a blank string', '   ', [{ path: 'f', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['an empty list', [], [{ path: 'f', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['non-string items', ['php', 1, true], [{ path: 'f[1]', code: 'RR_ERR_CONFIG_INVALID_TYPE' }, { path: 'f[2]', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a number', 42, [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a mapping', { cmd: 'php' }, [{ path: 'f', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
  ])('rejects %s', (_name, input, expected) => {
    expect(check(stringOrList(), input)).toMatchObject({ issues: expected });
  });
});
