import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, isRrError } from '@rr/kernel';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { formatError, parseCli, startServer, summary, versionText } from '../src/index.js';
import { cliErrors } from '../src/args.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-cli-'));
  dirs.push(dir);
  const file = join(dir, '.rr.yaml');
  writeFileSync(file, text);
  return file;
}

const io = () => {
  const lines: string[] = [];
  return { lines, io: { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), env: {}, cwd: process.cwd(), chdir: () => undefined } };
};

const demo = definePlugin({
  id: 'demo',
  kernel: '^1.0.0',
  config: { schema: z.strictObject({ port: z.number().int().max(65535) }) },
  init: () => ({ serve: () => undefined }),
});

describe('parseCli', () => {
  it('reads RoadRunner flags, repeatable overrides and the capitalised --WorkDir', () => {
    const args = parseCli(['serve', '-c', 'a.yaml', '-o', 'http.address=:8080', '-o', 'rpc.listen=tcp://127.0.0.1:1', '--WorkDir', '/tmp', '-s', '-p']);
    expect(args.command).toBe('serve');
    expect(args.flags).toMatchObject({ config: 'a.yaml', overrides: ['http.address=:8080', 'rpc.listen=tcp://127.0.0.1:1'], workDir: '/tmp', silent: true, pid: true });
  });

  it('reads rr plugin new <name> --dir', () => {
    const args = parseCli(['plugin', 'new', 'audit_log', '--dir', 'plugins/audit']);
    expect([args.command, args.positionals, args.flags.dir]).toEqual(['plugin', ['new', 'audit_log'], 'plugins/audit']);
  });

  it('rejects unknown flags with a code', () => {
    let error: unknown;
    try {
      parseCli(['serve', '--nope']);
    } catch (e) {
      error = e;
    }
    expect(isRrError(error, cliErrors.BAD_ARGS.code)).toBe(true);
  });
});

describe('startServer', () => {
  it('reports every section error at once with dotted paths', async () => {
    const file = configFile('version: "3"\ndemo:\n  port: 70000\n  extra: 1\n');
    const { io: sink } = io();
    const error = await startServer(parseCli(['serve', '-c', file]).flags, [demo], sink).catch((e: unknown) => e);
    expect(isRrError(error, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    const text = formatError(error);
    expect(text).toContain('demo.port');
    expect(text).toContain('demo.extra');
  });

  it('refuses to run with every plugin disabled', async () => {
    const file = configFile('version: "3"\n');
    const { io: sink } = io();
    const error = await startServer(parseCli(['serve', '-c', file]).flags, [demo], sink).catch((e: unknown) => e);
    expect(isRrError(error, cliErrors.NOTHING_TO_SERVE.code)).toBe(true);
  });

  it('starts enabled plugins, prints the summary and applies -o overrides', async () => {
    const file = configFile('version: "3"\ndemo:\n  port: 1\n');
    const { io: sink, lines } = io();
    const { kernel } = await startServer(parseCli(['serve', '-c', file, '-o', 'demo.port=2']).flags, [demo], sink);
    expect(lines.join('\n')).toContain('1 plugin(s) enabled: demo');
    await kernel.stop();
  });

  it('reports config load errors (bad version) with the config code', async () => {
    const file = configFile('version: 3\n');
    const { io: sink } = io();
    const error = await startServer(parseCli(['serve', '-c', file]).flags, [demo], sink).catch((e: unknown) => e);
    expect(isRrError(error, 'RR_ERR_CONFIG_INVALID')).toBe(true);
    expect(formatError(error)).toContain('RR_ERR_CONFIG_VERSION_TYPE');
  });
});

describe('output', () => {
  it('lists disabled plugins with their reason chain', () => {
    expect(summary([
      { id: 'http', state: 'serving' },
      { id: 'kv', state: 'disabled', reason: "no 'kv' section", reasonChain: ["no 'kv' section"] },
    ])).toBe("rr: 1 plugin(s) enabled: http\n  disabled kv: no 'kv' section");
  });

  it('prints the version and the compiled-in plugins', () => {
    expect(versionText({ name: 'rr', version: '1.2.3', plugins: [demo] })).toMatch(/^rr version \d+\.\d+\.\d+ \(kernel \d+\.\d+\.\d+, node .+\)\nplugins: demo$/);
  });
});
