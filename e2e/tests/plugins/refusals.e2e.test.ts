import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelVersion, removeProjects, serveFails, tempProject } from './project.js';

// A plugin that cannot be used stops rr at start with a coded error naming it, before any plugin runs.
let kernel: string;
beforeAll(async () => {
  kernel = await kernelVersion();
});
afterAll(removeProjects);

const config = (entries: string) => `version: "3"\nplugins: ${entries}\nrpc:\n  listen: tcp://127.0.0.1:0\n`;
// Importing it would print this: a refusal from package.json must come before any of its code runs.
const explodes = 'console.error("IMPORTED"); export default {};\n';

describe('a plugin built for an incompatible kernel is refused', () => {
  it("declared in the plugin itself (kernel: '^9.0.0')", async () => {
    const dir = tempProject({
      '.rr.yaml': config('[./old-plugin.mjs]'),
      'old-plugin.mjs': "export default { id: 'oldie', kernel: '^9.0.0', init() { return {}; } };\n",
    });
    const res = await serveFails(join(dir, '.rr.yaml'));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `error[RR_ERR_CLI_PLUGIN_KERNEL_MISMATCH]: plugins.0: plugin './old-plugin.mjs' requires kernel ^9.0.0 (plugin 'oldie' of ${join(dir, 'old-plugin.mjs')}), but this rr's kernel is ${kernel}`,
    );
    expect(res.stderr).toMatch(/^ {2}hint: install a version of the plugin built for this kernel/m);
  });

  it('declared by its package (peerDependencies["@rr/kernel"]: ^9), without importing it', async () => {
    const dir = tempProject({
      '.rr.yaml': config('[rr-plugin-future]'),
      'node_modules/rr-plugin-future/package.json': JSON.stringify({ name: 'rr-plugin-future', version: '9.0.1', type: 'module', main: 'index.js', peerDependencies: { '@rr/kernel': '^9' } }),
      'node_modules/rr-plugin-future/index.js': explodes,
    });
    const res = await serveFails(join(dir, '.rr.yaml'));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `error[RR_ERR_CLI_PLUGIN_KERNEL_MISMATCH]: plugins.0: plugin 'rr-plugin-future' requires kernel ^9 (peerDependencies["@rr/kernel"] of rr-plugin-future@9.0.1), but this rr's kernel is ${kernel}`,
    );
    expect(res.stderr).not.toContain('IMPORTED');
  });
});

describe('every unusable entry is reported at once', () => {
  it('a missing package and a module without a plugin', async () => {
    const dir = tempProject({
      '.rr.yaml': config('\n  - rr-plugin-does-not-exist\n  - ./lib/helpers.mjs'),
      'lib/helpers.mjs': 'export const shout = (s) => s.toUpperCase();\n',
    });
    const res = await serveFails(join(dir, '.rr.yaml'));
    expect(res.code).toBe(1);
    const lines = res.stderr.split('\n');
    expect(lines[0]).toBe('error[RR_ERR_CLI_PLUGINS_FAILED]: 2 configured plugins could not be loaded:');
    expect(res.stderr).toContain(`  error[RR_ERR_CLI_PLUGIN_NOT_FOUND]: plugins.0: plugin 'rr-plugin-does-not-exist' was not found: no package 'rr-plugin-does-not-exist' in node_modules of ${dir} or any directory above it`);
    expect(res.stderr).toContain("  error[RR_ERR_CLI_PLUGIN_INVALID]: plugins.1: plugin './lib/helpers.mjs' exports no plugin: expected a definePlugin() value (or an array of them) as the default or a named export; found shout (function)");
  });

  it('a malformed plugins section, with dotted paths', async () => {
    const dir = tempProject({ '.rr.yaml': config('[rr-plugin-greeter, 42, { package: x }]') });
    const res = await serveFails(join(dir, '.rr.yaml'));
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('error[RR_ERR_CLI_PLUGINS_CONFIG_INVALID]: the plugins section is invalid:');
    expect(res.stderr).toContain('  - plugins.1: expected a package name or a path, got number 42 [RR_ERR_CONFIG_INVALID_TYPE]');
    expect(res.stderr).toContain('  - plugins.2: expected a package name or a path, got a mapping [RR_ERR_CONFIG_INVALID_TYPE]');
  });
});
