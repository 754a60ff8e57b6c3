import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../src/index.js';
import { invalidIssues, rejection } from './helpers.js';

describe('version gate', () => {
  it.each([
    ['"3" (double quotes)', 'version: "3"'],
    ["'3' (single quotes)", "version: '3'"],
  ])('accepts %s without warnings', async (_name, line) => {
    const cfg = await loadConfigText(`${line}\nrpc:\n  listen: tcp://127.0.0.1:6001\n`, { env: {} });
    expect(cfg.version).toBe('3');
    expect(cfg.warnings).toEqual([]);
    expect(Object.keys(cfg.sections)).toEqual(['rpc']);
  });

  it('accepts "2.7" with RR_WARN_CONFIG_OLD_VERSION', async () => {
    const cfg = await loadConfigText('version: "2.7"\n', { env: {} });
    expect(cfg.version).toBe('2.7');
    expect(cfg.warnings).toEqual([{ code: 'RR_WARN_CONFIG_OLD_VERSION', message: expect.stringContaining('version: "3"') }]);
  });

  it.each([
    ['missing', 'rpc: {}', 'RR_ERR_CONFIG_VERSION_MISSING'],
    ['an empty file', '', 'RR_ERR_CONFIG_VERSION_MISSING'],
    ['a comment-only file', '# nothing here\n', 'RR_ERR_CONFIG_VERSION_MISSING'],
    ['an unquoted 3 (a number)', 'version: 3', 'RR_ERR_CONFIG_VERSION_TYPE'],
    ['an unquoted 2.7 (a number)', 'version: 2.7', 'RR_ERR_CONFIG_VERSION_TYPE'],
    ['a list', 'version: ["3"]', 'RR_ERR_CONFIG_VERSION_TYPE'],
    ['empty', 'version:', 'RR_ERR_CONFIG_VERSION_TYPE'],
    ['"4"', 'version: "4"', 'RR_ERR_CONFIG_VERSION_UNSUPPORTED'],
    ['"2"', 'version: "2"', 'RR_ERR_CONFIG_VERSION_UNSUPPORTED'],
    ['"3.0"', 'version: "3.0"', 'RR_ERR_CONFIG_VERSION_UNSUPPORTED'],
  ])('rejects a version that is %s', async (_name, yaml, code) => {
    expect(await invalidIssues(() => loadConfigText(yaml, { env: {} }))).toEqual([{ path: 'version', code }]);
  });

  it('hints to quote an unquoted number', async () => {
    const err = await rejection(() => loadConfigText('version: 3', { env: {} }), 'RR_ERR_CONFIG_INVALID');
    expect(err.details.issues).toEqual([
      { path: 'version', code: 'RR_ERR_CONFIG_VERSION_TYPE', message: '"version" must be a string, found the number 3', hint: expect.stringContaining('version: "3"') },
    ]);
  });

  it('checks the version after overrides, so -o version=3 repairs a file', async () => {
    const cfg = await loadConfigText('version: 3\n', { overrides: ['version=3'], env: {} });
    expect(cfg.version).toBe('3');
  });

  it('checks the version after expansion', async () => {
    const cfg = await loadConfigText('version: "${RR_CONFIG_VERSION:-3}"\n', { env: {} });
    expect(cfg.version).toBe('3');
  });
});
