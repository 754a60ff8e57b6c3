import { join } from 'node:path';
import { isRrError, type RrError } from '@rr/errors';
import { describe, expect, it } from 'vitest';
import { buildErrors, loadBuildConfig, parseBuildConfig, type ConfigIssue } from '../src/index.js';

const FILE = '/tmp/cfg/rr-build.yaml';

function issues(text: string): ConfigIssue[] {
  try {
    parseBuildConfig(text, FILE);
  } catch (err) {
    expect(isRrError(err, buildErrors.CONFIG_INVALID.code)).toBe(true);
    return (err as RrError).details.issues as ConfigIssue[];
  }
  throw new Error('expected the config to be rejected');
}

describe('build config', () => {
  it('accepts the short form and fills the defaults', () => {
    const cfg = parseBuildConfig('name: lite\nversion: 1.2.3\nplugins: ["@rr/plugin-logs", { package: "@rr/plugin-http", version: "^0.1.0" }]\n', FILE);
    expect(cfg).toMatchObject({
      file: FILE,
      dir: '/tmp/cfg',
      name: 'lite',
      version: '1.2.3',
      runtime: { package: '@rr/cli' },
      plugins: [{ package: '@rr/plugin-logs' }, { package: '@rr/plugin-http', version: '^0.1.0' }],
      output: { dir: '/tmp/cfg/dist', format: 'file', minify: true, sourcemap: false, nodeFlags: [] },
      debug: false,
    });
    expect(cfg.overrides.size).toBe(0);
    expect(cfg.kernel).toBeUndefined();
  });

  it('resolves paths against the config directory and tells override paths from ranges', () => {
    const cfg = parseBuildConfig(
      [
        'name: x',
        'plugins:',
        '  - { package: my-plugin, path: ../plugins/mine }',
        'overrides:',
        '  protobufjs: 8.8.1',
        '  "@rr/kernel": ./vendor/kernel',
        '  ioredis: { path: /opt/ioredis }',
        '  amqplib: { version: "^2.0.0" }',
        '  other: "file:../other"',
        'output: { dir: out, format: dir, node_flags: [--max-semi-space-size=4] }',
      ].join('\n'),
      FILE,
    );
    expect(cfg.version).toBeUndefined();
    expect(cfg.plugins[0]).toEqual({ package: 'my-plugin', version: undefined, path: '/tmp/plugins/mine' });
    expect(Object.fromEntries(cfg.overrides)).toEqual({
      protobufjs: { kind: 'version', range: '8.8.1' },
      '@rr/kernel': { kind: 'path', path: '/tmp/cfg/vendor/kernel' },
      ioredis: { kind: 'path', path: '/opt/ioredis' },
      amqplib: { kind: 'version', range: '^2.0.0' },
      other: { kind: 'path', path: '/tmp/other' },
    });
    expect(cfg.output).toEqual({ dir: '/tmp/cfg/out', format: 'dir', minify: true, sourcemap: false, nodeFlags: ['--max-semi-space-size=4'] });
  });

  it('debug turns minification off and source maps on unless output says otherwise', () => {
    expect(parseBuildConfig('name: x\nplugins: [a]\ndebug: true\n', FILE).output).toMatchObject({ minify: false, sourcemap: true });
    expect(parseBuildConfig('name: x\nplugins: [a]\ndebug: true\noutput: { minify: true }\n', FILE).output).toMatchObject({ minify: true, sourcemap: true });
  });

  it('reports every problem at once, with dotted paths and codes', () => {
    const found = issues(
      [
        'name: "bad name"',
        'version: 1.x',
        'kernel: "not a range"',
        'plugins:',
        '  - "Bad_Name"',
        '  - { package: "@rr/plugin-http", version: "^^1" }',
        '  - { package: "@rr/plugin-logs", extra: 1 }',
        '  - "@rr/plugin-http"',
        '  - 42',
        'overrides:',
        '  protobufjs: "nope nope"',
        'output: { format: zip, node_flags: ["-x"] }',
        'surprise: true',
      ].join('\n'),
    );
    const got = found.map((i) => [i.path, i.code]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['name', 'RR_ERR_BUILD_CONFIG_INVALID_FORMAT'],
        ['version', buildErrors.CONFIG_INVALID_VERSION.code],
        ['kernel', buildErrors.CONFIG_INVALID_RANGE.code],
        ['plugins[0]', buildErrors.CONFIG_INVALID_PACKAGE.code],
        ['plugins[1].version', buildErrors.CONFIG_INVALID_RANGE.code],
        ['plugins[2].extra', buildErrors.CONFIG_UNRECOGNIZED_KEYS.code],
        ['plugins[3]', buildErrors.CONFIG_DUPLICATE_PACKAGE.code],
        ['plugins[4]', buildErrors.CONFIG_INVALID_UNION.code],
        ['overrides.protobufjs', buildErrors.CONFIG_INVALID_RANGE.code],
        ['output.format', buildErrors.CONFIG_INVALID_VALUE.code],
        ['output.node_flags[0]', 'RR_ERR_BUILD_CONFIG_INVALID_FORMAT'],
        ['surprise', buildErrors.CONFIG_UNRECOGNIZED_KEYS.code],
      ]),
    );
    expect(issues('name: x\nplugins: [a, b, a]\n')).toEqual([{ path: 'plugins[2]', code: buildErrors.CONFIG_DUPLICATE_PACKAGE.code, message: 'a is listed twice (first at plugins[0])' }]);
  });

  it('requires a name and at least one plugin', () => {
    expect(issues('version: 1.0.0\nplugins: []\n').map((i) => [i.path, i.code])).toEqual([
      ['name', buildErrors.CONFIG_INVALID_TYPE.code],
      ['plugins', buildErrors.CONFIG_TOO_SMALL.code],
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const [first] = issues('name: x\nplugins: [a\n');
    expect(first).toMatchObject({ path: '', code: buildErrors.CONFIG_YAML.code });
    expect(first?.message).toMatch(/line \d/);
    expect(issues('name: x\nname: y\nplugins: [a]\n')[0]?.code).toBe(buildErrors.CONFIG_YAML.code);
  });

  it('names the file in the error and lists each issue in the message', () => {
    try {
      parseBuildConfig('name: x\nplugins: [{ package: a, version: "??" }]\n', FILE);
      expect.unreachable();
    } catch (err) {
      expect((err as RrError).message).toBe(`invalid build config ${FILE}:\n  - plugins[0].version: "??" is not a semver range (${buildErrors.CONFIG_INVALID_RANGE.code})`);
      expect((err as RrError).hint).toMatch(/dotted path/);
    }
  });

  it('a missing file is RR_ERR_BUILD_CONFIG_NOT_FOUND', () => {
    expect(() => loadBuildConfig(join('/nonexistent', 'rr-build.yaml'))).toThrowError(expect.objectContaining({ code: buildErrors.CONFIG_NOT_FOUND.code }));
  });
});
