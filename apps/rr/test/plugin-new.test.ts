import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_VERSION, type RrError } from '@rr/kernel';
import { afterEach, describe, expect, it } from 'vitest';
import { newPlugin, newPluginText, pluginNames, TEMPLATE_DIR } from '../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rr-plugin-new-'));
  dirs.push(dir);
  return dir;
};
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as RrError;
  }
  throw new Error('expected a throw');
};

describe('plugin names', () => {
  it.each([
    ['audit_log', { packageName: 'rr-plugin-audit-log', id: 'audit_log', camel: 'auditLog', pascal: 'AuditLog', upper: 'AUDIT_LOG' }],
    ['greeter', { packageName: 'rr-plugin-greeter', id: 'greeter', camel: 'greeter', pascal: 'Greeter', upper: 'GREETER' }],
    ['rr-plugin-audit-log', { packageName: 'rr-plugin-audit-log', id: 'audit_log', camel: 'auditLog' }],
    ['@acme/rr-plugin-geo-ip2', { packageName: '@acme/rr-plugin-geo-ip2', id: 'geo_ip2', pascal: 'GeoIp2' }],
    ['my-thing', { packageName: 'my-thing', id: 'my_thing' }],
  ])('%s', (name, expected) => {
    expect(pluginNames(name)).toMatchObject(expected);
  });

  it.each([['Audit'], ['2fa'], ['@acme/9lives'], ['a b']])('refuses %s', (name) => {
    expect(thrown(() => pluginNames(name)).code).toBe('RR_ERR_CLI_PLUGIN_NAME_INVALID');
  });
});

describe('rr plugin new', () => {
  it('writes the template with every placeholder replaced', () => {
    const cwd = temp();
    const result = newPlugin({ name: 'audit_log', cwd });
    expect(result.dir).toBe(join(cwd, 'rr-plugin-audit-log'));
    expect(result.files).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/config.ts',
      'src/errors.ts',
      'src/index.ts',
      'src/plugin.ts',
      'src/rpc.ts',
      'test/plugin.test.ts',
      'tsconfig.build.json',
      'tsconfig.json',
    ]);
    for (const file of result.files) expect(readFileSync(join(result.dir, file), 'utf8'), file).not.toMatch(/__[A-Z_]+__/);

    const json = JSON.parse(readFileSync(join(result.dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const major = KERNEL_VERSION.split('.')[0] ?? '';
    expect(json.name).toBe('rr-plugin-audit-log');
    expect(json.peerDependencies).toEqual({ '@rr/kernel': `^${major}.0.0` });
    expect(json.rr).toEqual({ apiVersion: 1, id: 'audit_log', export: 'auditLogPlugin', kernel: `^${major}.0.0` });
    // Versions of the @rr packages this CLI was installed with (found next to it), never a workspace: range.
    expect(json.dependencies?.['@rr/contracts']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(JSON.stringify(json)).not.toContain('workspace:');

    const plugin = readFileSync(join(result.dir, 'src/plugin.ts'), 'utf8');
    expect(plugin).toContain("export const auditLogPlugin: Plugin = definePlugin({\n  id: 'audit_log',");
    expect(plugin).toContain(`kernel: '^${major}.0.0',`);
    expect(readFileSync(join(result.dir, 'src/errors.ts'), 'utf8')).toContain("defineErrors('AUDIT_LOG'");
    const readme = readFileSync(join(result.dir, 'README.md'), 'utf8');
    for (const section of ['Purpose', 'Config', 'Needs/Collects/Provides', 'RPC methods', 'Errors']) expect(readme).toMatch(new RegExp(`^## ${section}$`, 'm'));
    expect(readme).toContain('| `RR_ERR_AUDIT_LOG_TOO_LONG` |');
    expect(readFileSync(join(result.dir, 'test/plugin.test.ts'), 'utf8')).toContain("code: 'RR_ERR_AUDIT_LOG_BAD_ARGUMENT'");

    expect(newPluginText(result, cwd)).toContain("created rr-plugin-audit-log (plugin id 'audit_log') in rr-plugin-audit-log:");
  });

  it('writes into --dir, which may exist when empty', () => {
    const cwd = temp();
    mkdirSync(join(cwd, 'here'));
    const result = newPlugin({ name: '@acme/rr-plugin-geo', dir: 'here', cwd });
    expect(result.dir).toBe(join(cwd, 'here'));
    expect(JSON.parse(readFileSync(join(cwd, 'here/package.json'), 'utf8'))).toMatchObject({ name: '@acme/rr-plugin-geo', rr: { id: 'geo' } });
  });

  it('refuses a directory that is not empty, and writes nothing', () => {
    const cwd = temp();
    mkdirSync(join(cwd, 'rr-plugin-busy'));
    writeFileSync(join(cwd, 'rr-plugin-busy/keep.txt'), 'mine');
    const err = thrown(() => newPlugin({ name: 'busy', cwd }));
    expect(err.code).toBe('RR_ERR_CLI_PLUGIN_DIR_NOT_EMPTY');
    expect(err.message).toContain(join(cwd, 'rr-plugin-busy'));
    expect(existsSync(join(cwd, 'rr-plugin-busy/package.json'))).toBe(false);
  });

  it('says so when the template is not shipped', () => {
    expect(thrown(() => newPlugin({ name: 'x', cwd: temp(), templateDir: join(TEMPLATE_DIR, 'nope') })).code).toBe('RR_ERR_CLI_PLUGIN_TEMPLATE_MISSING');
  });
});
