import { describe, expect, it } from 'vitest';
import { loadConfig, loadConfigText } from '../src/index.js';
import { invalidIssues, useTempDir } from './helpers.js';

const tmp = useTempDir();
const yaml = 'version: "3"\napp:\n  port: ${PORT}\n  name: ${NAME:-unnamed}\n';

describe('dotenv', () => {
  it('loads the --dotenv file before expansion', async () => {
    const dotenv = await tmp.write('.env', 'PORT=8080\nNAME="my app"\n');
    const cfg = await loadConfigText(yaml, { dotenv, env: {} });
    expect(cfg.sections.app).toEqual({ port: '8080', name: 'my app' });
    expect(cfg.env).toMatchObject({ PORT: '8080', NAME: 'my app' });
  });

  it('never overrides a variable that is already set, even to ""', async () => {
    const dotenv = await tmp.write('.env', 'PORT=8080\nNAME=from-file\n');
    const cfg = await loadConfigText(yaml, { dotenv, env: { PORT: '9090', NAME: '' } });
    expect(cfg.sections.app).toEqual({ port: '9090', name: 'unnamed' });
  });

  it('reads DOTENV_PATH from env when no --dotenv is given', async () => {
    const path = await tmp.write('from-var.env', 'PORT=1111\n');
    const cfg = await loadConfigText(yaml, { env: { DOTENV_PATH: path } });
    expect(cfg.sections.app).toMatchObject({ port: '1111' });
  });

  it('prefers --dotenv over DOTENV_PATH', async () => {
    const option = await tmp.write('option.env', 'PORT=1\n');
    const fromVar = await tmp.write('var.env', 'PORT=2\n');
    const cfg = await loadConfigText(yaml, { dotenv: option, env: { DOTENV_PATH: fromVar } });
    expect(cfg.sections.app).toMatchObject({ port: '1' });
  });

  it('ignores an empty DOTENV_PATH', async () => {
    const cfg = await loadConfigText(yaml, { env: { DOTENV_PATH: '' } });
    expect(cfg.sections.app).toEqual({ port: '', name: 'unnamed' });
  });

  it('resolves a relative --dotenv against workDir, else the config directory', async () => {
    const file = await tmp.write('app/.rr.yaml', yaml);
    await tmp.write('app/.env', 'PORT=1\n');
    await tmp.write('work/.env', 'PORT=2\n');
    expect((await loadConfig({ file, dotenv: '.env', env: {} })).sections.app).toMatchObject({ port: '1' });
    expect((await loadConfig({ file, dotenv: '.env', workDir: `${tmp.dir()}/work`, env: {} })).sections.app).toMatchObject({ port: '2' });
  });

  it('loads the envfile key relative to the config directory', async () => {
    const file = await tmp.write('conf/.rr.yaml', `envfile: .env.local\n${yaml}`);
    await tmp.write('conf/.env.local', 'PORT=3000\n');
    const cfg = await loadConfig({ file, workDir: '/elsewhere', env: {} });
    expect(cfg.sections).toEqual({ app: { port: '3000', name: 'unnamed' } });
  });

  it('lets --dotenv win over envfile, and the environment win over both', async () => {
    const file = await tmp.write('.rr.yaml', `envfile: envfile.env\n${yaml}`);
    await tmp.write('envfile.env', 'PORT=1\nNAME=envfile\nEXTRA=x\n');
    const dotenv = await tmp.write('option.env', 'PORT=2\nNAME=option\n');
    const cfg = await loadConfig({ file, dotenv, env: { NAME: 'process' } });
    expect(cfg.sections.app).toEqual({ port: '2', name: 'process' });
    expect(cfg.env).toEqual({ NAME: 'process', PORT: '2', EXTRA: 'x' });
  });

  it('does not modify the env object it was given', async () => {
    const dotenv = await tmp.write('.env', 'PORT=8080\n');
    const env = { HOME: '/root' };
    await loadConfigText(yaml, { dotenv, env });
    expect(env).toEqual({ HOME: '/root' });
  });

  it.each([
    ['--dotenv', { dotenv: '/nonexistent/.env' }, 'version: "3"', 'dotenv'],
    ['DOTENV_PATH', { env: { DOTENV_PATH: '/nonexistent/.env' } }, 'version: "3"', 'dotenv'],
    ['envfile', {}, 'version: "3"\nenvfile: /nonexistent/.env', 'envfile'],
  ])('reports an unreadable %s file as RR_ERR_CONFIG_DOTENV_UNREADABLE', async (_name, options, text, path) => {
    expect(await invalidIssues(() => loadConfigText(text, { env: {}, ...options }))).toEqual([{ path, code: 'RR_ERR_CONFIG_DOTENV_UNREADABLE' }]);
  });

  it('rejects an envfile that is not a path', async () => {
    expect(await invalidIssues(() => loadConfigText('version: "3"\nenvfile: [a]\n', { env: {} }))).toEqual([{ path: 'envfile', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]);
  });
});
