import { describe, expect, it } from 'vitest';
import { expandEnv, loadConfigText } from '../src/index.js';

const env = { HOST: 'db.local', PORT: '5432', EMPTY: '', NAME_1: 'one' };

describe('expandEnv', () => {
  it.each([
    ['$VAR form', 'host=$HOST', 'host=db.local'],
    ['${VAR} form', '${HOST}:${PORT}', 'db.local:5432'],
    ['$VAR stops at the first non-name character', '$HOST.example', 'db.local.example'],
    ['names may hold digits and underscores', '$NAME_1/${NAME_1}', 'one/one'],
    ['unset variable expands to the empty string', 'a${MISSING}b$MISSING', 'ab'],
    ['default used when unset', '${MISSING:-fallback}', 'fallback'],
    ['default used when set but empty', '${EMPTY:-fallback}', 'fallback'],
    ['default ignored when set', '${PORT:-1}', '5432'],
    ['default may contain colons and slashes', '${MISSING:-tcp://127.0.0.1:6001}', 'tcp://127.0.0.1:6001'],
    ['empty default', 'x${MISSING:-}y', 'xy'],
    ['default runs to the first closing brace (no nesting, as in RoadRunner)', '${MISSING:-${PORT}}', '${PORT}'],
    // RoadRunner's quirk: it switches to the default branch when the whole value contains ":-", which makes
    // this value "" there. We expand each reference independently.
    ['":-" elsewhere in the value does not disturb other references', '${MISSING:-1} $HOST a:-b', '1 db.local a:-b'],
    ['$$ is a literal dollar', 'price: $$5 and $$HOST', 'price: $5 and $HOST'],
    ['a $ before a non-name stays', 'cost $5, $ and $-x', 'cost $5, $ and $-x'],
    ['a trailing $ stays', 'ends with $', 'ends with $'],
    ['positional and special shell names stay (RoadRunner blanks them)', 'pass$1word $* $@', 'pass$1word $* $@'],
    ['a name after $ is always a reference: write $$ for a literal', '$2y$$10$$abc', '$2y$10$abc'],
    ['unterminated ${ stays literal', 'a ${HOST', 'a ${HOST'],
    ['empty ${} stays literal', 'a ${} b', 'a ${} b'],
    ['no $ at all', 'plain text', 'plain text'],
  ])('%s', (_name, input, expected) => {
    expect(expandEnv(input, env)).toBe(expected);
  });
});

describe('expansion while loading', () => {
  it('expands strings in nested maps and lists, and leaves keys and non-strings alone', async () => {
    const cfg = await loadConfigText(
      [
        'version: "3"',
        'app:',
        '  $HOST: key-not-expanded',
        '  address: ${HOST}:${PORT:-80}',
        '  list: [ "$HOST", 1, true, null, [ "${PORT}" ], { inner: "$NAME_1" } ]',
        '  nested: { deep: { deeper: "${MISSING:-d}" } }',
        '  number: 42',
        '  flag: false',
      ].join('\n'),
      { env },
    );
    expect(cfg.sections.app).toEqual({
      $HOST: 'key-not-expanded',
      address: 'db.local:5432',
      list: ['db.local', 1, true, null, ['5432'], { inner: 'one' }],
      nested: { deep: { deeper: 'd' } },
      number: 42,
      flag: false,
    });
  });

  it('keeps an expanded number a string (schemas use int() to accept it)', async () => {
    const cfg = await loadConfigText('version: "3"\nhttp:\n  pool:\n    num_workers: ${N}\n', { env: { N: '4' } });
    expect(cfg.sections).toEqual({ http: { pool: { num_workers: '4' } } });
  });

  it('expands each YAML alias use once, not once per sharing', async () => {
    const cfg = await loadConfigText('version: "3"\nbase: &b { price: "$$5" }\na: *b\nc: *b\n', { env: {} });
    expect(cfg.sections).toEqual({ base: { price: '$5' }, a: { price: '$5' }, c: { price: '$5' } });
  });

  it('honours YAML merge keys as go-yaml does', async () => {
    const cfg = await loadConfigText('version: "3"\ndefaults: &d { num_workers: 2, max_jobs: 10 }\npool:\n  <<: *d\n  max_jobs: 5\n', { env: {} });
    expect(cfg.sections.pool).toEqual({ num_workers: 2, max_jobs: 5 });
  });
});

describe('YAML reading matches go-yaml', () => {
  it.each([
    ['0777 is octal, as in go-yaml v3 (boltdb permissions)', 'p: 0777', 0o777],
    ['0o777 is octal', 'p: 0o777', 0o777],
    ['a negative legacy octal', 'p: -010', -8],
    ['0 is zero', 'p: 0', 0],
    ['a decimal with a leading zero that is not octal stays decimal', 'p: 08', 8],
    ['yes stays a string (YAML 1.2 core)', 'p: yes', 'yes'],
    ['on stays a string', 'p: on', 'on'],
    ['a quoted 0777 stays a string', 'p: "0777"', '0777'],
  ])('%s', async (_name, line, expected) => {
    const cfg = await loadConfigText(`version: "3"\n${line}\n`, { env: {} });
    expect(cfg.sections.p).toBe(expected);
  });
});
