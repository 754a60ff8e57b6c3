import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { php, phpSdk, repoRoot, rrBin } from '../../helpers/paths.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';
import { removeProjects, tempProject } from './project.js';

// `rr plugin new` writes a third-party plugin package; it must build, pass its own tests and load
// from config as generated. Its npm dependencies are linked from this repository instead of installed.
const e2eModules = join(repoRoot, 'e2e/node_modules');
const links: Record<string, string> = {
  '@rr/kernel': join(repoRoot, 'packages/kernel'),
  '@rr/contracts': join(repoRoot, 'packages/contracts'),
  '@rr/config': join(repoRoot, 'packages/config'),
  '@rr/testkit': join(repoRoot, 'packages/testkit'),
  zod: realpathSync(join(repoRoot, 'packages/config/node_modules/zod')),
  typescript: realpathSync(join(e2eModules, 'typescript')),
  vitest: realpathSync(join(e2eModules, 'vitest')),
  '@types/node': realpathSync(join(e2eModules, '@types/node')),
};

let rr: RrProcess | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});
afterAll(removeProjects);

describe('rr plugin new', () => {
  it('generates a package that builds, passes its tests and loads from config', { timeout: 120_000 }, async () => {
    const project = tempProject();
    const created = await run(process.execPath, [rrBin, 'plugin', 'new', 'shout', '--dir', 'plugins/shout'], { cwd: project });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("created rr-plugin-shout (plugin id 'shout') in plugins/shout:");
    const pluginDir = join(project, 'plugins/shout');

    for (const [name, target] of Object.entries(links)) {
      mkdirSync(join(pluginDir, 'node_modules', name, '..'), { recursive: true });
      symlinkSync(target, join(pluginDir, 'node_modules', name));
    }
    const tsc = join(links.typescript as string, 'bin/tsc');
    const build = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: pluginDir, timeoutMs: 60_000 });
    expect(build.stdout + build.stderr).toBe('');
    expect(existsSync(join(pluginDir, 'dist/index.js'))).toBe(true);
    const typecheck = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: pluginDir, timeoutMs: 60_000 });
    expect(typecheck.stdout + typecheck.stderr).toBe('');
    const plain: NodeJS.ProcessEnv = { ...process.env, CI: '1', NO_COLOR: '1' };
    delete plain.FORCE_COLOR;
    const tests = await run(process.execPath, [join(links.vitest as string, 'vitest.mjs'), 'run'], { cwd: pluginDir, timeoutMs: 90_000, env: plain });
    expect(tests.code, tests.stdout + tests.stderr).toBe(0);
    expect(tests.stdout).toMatch(/Tests\s+4 passed/);

    const config = `version: "3"
plugins: [./plugins/shout]
rpc:
  listen: tcp://127.0.0.1:0
shout:
  prefix: ">> "
logs:
  mode: production
  level: info
`;
    writeFileSync(join(project, '.rr.yaml'), config);
    rr = await startRr({ config, args: ['-c', join(project, '.rr.yaml')] });
    expect(rr.text).toContain('rr: plugins from config: shout (rr-plugin-shout 0.1.0)');
    const res = await run(php, [join(phpSdk, 'examples/rpc-call.php'), String(rr.rpcAddress), 'shout.Echo', '{"message":"hi"}']);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout)).toEqual({ message: '>> hi' });
  });

  it('refuses to write into a directory that is not empty', async () => {
    const project = tempProject({ 'rr-plugin-taken/index.js': 'mine\n' });
    const res = await run(process.execPath, [rrBin, 'plugin', 'new', 'taken'], { cwd: project });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`error[RR_ERR_CLI_PLUGIN_DIR_NOT_EMPTY]: refusing to write the plugin into ${join(project, 'rr-plugin-taken')}: the directory is not empty`);
  });
});
