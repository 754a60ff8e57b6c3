import { issuesFromZod, loadConfigText } from '@rr/config';
import { describe, expect, it } from 'vitest';
import { serverConfigSchema } from '../src/index.js';

/** Loads YAML as rr does (env expansion included) and validates the `server` section. */
async function parse(yaml: string, env: Record<string, string> = {}) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env });
  const result = serverConfigSchema.safeParse(loaded.sections.server ?? {});
  if (result.success) return { ok: true as const, value: result.data };
  return { ok: false as const, issues: issuesFromZod(result.error, 'server').map(({ path, code }) => ({ path, code })) };
}

describe('serverConfigSchema: accepted', () => {
  it.each([
    [
      'a command string with RoadRunner defaults',
      'server:\n  command: "php worker.php"',
      { command: ['php', 'worker.php'], user: '', group: '', env: {}, relay: 'pipes' },
    ],
    [
      'a command list kept item for item',
      'server:\n  command: ["php", "my worker.php", "-v"]',
      { command: ['php', 'my worker.php', '-v'] },
    ],
    ['runs of whitespace in a command string', 'server:\n  command: "php   -d  memory_limit=1G worker.php"', { command: ['php', '-d', 'memory_limit=1G', 'worker.php'] }],
    ['an empty relay as pipes', 'server:\n  command: php w.php\n  relay: ""', { relay: 'pipes' }],
    ['a tcp relay verbatim', 'server:\n  command: php w.php\n  relay: tcp://127.0.0.1:7000', { relay: 'tcp://127.0.0.1:7000' }],
    ['a tcp relay with a host name', 'server:\n  command: php w.php\n  relay: tcp://localhost:7000', { relay: 'tcp://localhost:7000' }],
    ['a unix relay verbatim', 'server:\n  command: php w.php\n  relay: unix:///tmp/rr.sock', { relay: 'unix:///tmp/rr.sock' }],
    ['a relative unix relay', 'server:\n  command: php w.php\n  relay: unix://rr.sock', { relay: 'unix://rr.sock' }],
    [
      'env keys upper-cased and values as strings',
      'server:\n  command: php w.php\n  env:\n    app_env: prod\n    workers: 4\n    debug: true\n    empty:',
      { env: { APP_ENV: 'prod', WORKERS: '4', DEBUG: 'true', EMPTY: '' } },
    ],
    [
      "RoadRunner's list form of env",
      'server:\n  command: php w.php\n  env:\n    - XDEBUG_SESSION: "1"\n    - app_env: dev',
      { env: { XDEBUG_SESSION: '1', APP_ENV: 'dev' } },
    ],
    ['an empty env', 'server:\n  command: php w.php\n  env:', { env: {} }],
    ['user and group names', 'server:\n  command: php w.php\n  user: www-data\n  group: www-data', { user: 'www-data', group: 'www-data' }],
    ['a numeric user id', 'server:\n  command: php w.php\n  user: 1000', { user: '1000' }],
    ['the v2 relay_timeout key (deprecated)', 'server:\n  command: php w.php\n  relay_timeout: 60s', { relay_timeout: 60_000 }],
    [
      'on_init with defaults',
      'server:\n  command: php w.php\n  on_init:\n    command: "php init.php"',
      { on_init: { command: ['php', 'init.php'], exec_timeout: 60_000, env: {}, user: '', exit_on_error: false } },
    ],
    [
      'on_init with every key',
      'server:\n  command: php w.php\n  on_init:\n    command: ["php", "init.php"]\n    exec_timeout: 2m\n    env:\n      mode: migrate\n    user: nobody\n    exit_on_error: true',
      { on_init: { command: ['php', 'init.php'], exec_timeout: 120_000, env: { MODE: 'migrate' }, user: 'nobody', exit_on_error: true } },
    ],
    ['on_init exec_timeout 0 as the default (RoadRunner)', 'server:\n  command: php w.php\n  on_init:\n    command: "true"\n    exec_timeout: 0', { on_init: expect.objectContaining({ exec_timeout: 60_000 }) }],
    ['exit_on_error as an expanded string', 'server:\n  command: php w.php\n  on_init:\n    command: "true"\n    exit_on_error: "${STRICT}"', { on_init: expect.objectContaining({ exit_on_error: true }) }],
  ])('%s', async (_name, yaml, expected) => {
    const res = await parse(yaml, { STRICT: 'true' });
    expect(res).toMatchObject({ ok: true, value: expected });
  });

  it("loads RoadRunner's sample server section unchanged", async () => {
    const res = await parse(
      [
        'server:',
        '  on_init:',
        '    command: "php app.php migrate"',
        '    exec_timeout: 20s',
        '    env:',
        '      - XDEBUG_SESSION: 1',
        '  command: "php psr-worker.php"',
        '  relay: pipes',
        '  env:',
        '    - SOME_KEY: "SOME_VALUE"',
        '    - SOME_KEY2: "SOME_VALUE2"',
      ].join('\n'),
    );
    expect(res).toEqual({
      ok: true,
      value: {
        command: ['php', 'psr-worker.php'],
        user: '',
        group: '',
        env: { SOME_KEY: 'SOME_VALUE', SOME_KEY2: 'SOME_VALUE2' },
        relay: 'pipes',
        on_init: { command: ['php', 'app.php', 'migrate'], exec_timeout: 20_000, env: { XDEBUG_SESSION: '1' }, user: '', exit_on_error: false },
      },
    });
  });

  it('takes ${VAR} from the environment through the loader', async () => {
    const res = await parse('server:\n  command: "php ${APP}"\n  relay: "tcp://127.0.0.1:${PORT:-7000}"', { APP: 'app.php' });
    expect(res).toMatchObject({ ok: true, value: { command: ['php', 'app.php'], relay: 'tcp://127.0.0.1:7000' } });
  });
});

describe('serverConfigSchema: rejected', () => {
  it.each([
    ['a missing command', 'server:\n  relay: pipes', [{ path: 'server.command', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an empty command', 'server:\n  command: ""', [{ path: 'server.command', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['an empty command list', 'server:\n  command: []', [{ path: 'server.command', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['a command list with a non-string', 'server:\n  command: ["php", {a: 1}]', [{ path: 'server.command[1]', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an unknown key', 'server:\n  command: php w.php\n  comand: x', [{ path: 'server.comand', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['an unknown relay scheme', 'server:\n  command: php w.php\n  relay: http://127.0.0.1:7000', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a bare address as relay', 'server:\n  command: php w.php\n  relay: 127.0.0.1:7000', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a tcp relay without a port', 'server:\n  command: php w.php\n  relay: tcp://127.0.0.1', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a tcp relay with an empty host', 'server:\n  command: php w.php\n  relay: tcp://:7000', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a tcp relay with an IPv6 host', 'server:\n  command: php w.php\n  relay: tcp://[::1]:7000', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a unix relay without a path', 'server:\n  command: php w.php\n  relay: unix://', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a relay that is not a string', 'server:\n  command: php w.php\n  relay: 7000', [{ path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an env that is a string', 'server:\n  command: php w.php\n  env: "A=1"', [{ path: 'server.env', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an env value that is a mapping', 'server:\n  command: php w.php\n  env:\n    a: {b: 1}', [{ path: 'server.env.a', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['a user that is a list', 'server:\n  command: php w.php\n  user: [a]', [{ path: 'server.user', code: 'RR_ERR_CONFIG_INVALID_UNION' }]],
    ['a bad relay_timeout', 'server:\n  command: php w.php\n  relay_timeout: 5 minutes', [{ path: 'server.relay_timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['on_init without a command', 'server:\n  command: php w.php\n  on_init:\n    exec_timeout: 1s', [{ path: 'server.on_init.command', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['on_init with a bad exec_timeout', 'server:\n  command: php w.php\n  on_init:\n    command: "true"\n    exec_timeout: 1d', [{ path: 'server.on_init.exec_timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['on_init with a bad exit_on_error', 'server:\n  command: php w.php\n  on_init:\n    command: "true"\n    exit_on_error: maybe', [{ path: 'server.on_init.exit_on_error', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['on_init with an unknown key (group is not an on_init key)', 'server:\n  command: php w.php\n  on_init:\n    command: "true"\n    group: x', [{ path: 'server.on_init.group', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    [
      'several problems at once',
      'server:\n  relay: ftp://x\n  extra: 1',
      [
        { path: 'server.command', code: 'RR_ERR_CONFIG_INVALID_TYPE' },
        { path: 'server.relay', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
        { path: 'server.extra', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
      ],
    ],
  ])('%s', async (_name, yaml, issues) => {
    const res = await parse(yaml);
    expect(res.ok).toBe(false);
    expect(res.ok ? [] : res.issues).toEqual(expect.arrayContaining(issues));
    expect(res.ok ? 0 : res.issues.length).toBe(issues.length);
  });

  it("keeps RoadRunner's DSN wording for an unknown relay", () => {
    const res = serverConfigSchema.safeParse({ command: 'php w.php', relay: 'http://x:1' });
    expect(res.error?.issues[0]?.message).toContain('invalid DSN (tcp://:6001, unix://file.sock)');
  });

  it('says how to fix a tcp relay without a host', () => {
    const res = serverConfigSchema.safeParse({ command: 'php w.php', relay: 'tcp://:7000' });
    expect(res.error?.issues[0]?.message).toContain('tcp://127.0.0.1:7000');
  });
});
