import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { php, phpSdk } from '../../helpers/paths.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';
import { run } from '../../helpers/run.js';
import { greeterDir, removeProjects, requireGreeterBuilt, tempProject } from './project.js';

// The example third-party plugin (examples/plugins/greeter, npm package rr-plugin-greeter) is not
// compiled into rr: the config's plugins: list loads it at start, and a PHP application calls its RPC
// method through php-sdk's RPC client.
const helloPhp = join(greeterDir, 'php/hello.php');
let rr: RrProcess | undefined;
beforeAll(requireGreeterBuilt);
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
});
afterAll(removeProjects);

function config(entry: string): string {
  return `version: "3"
plugins:
  - ${entry}
rpc:
  listen: tcp://127.0.0.1:0
greeter:
  greeting: "Hello, {name}! (#{count})"
metrics:
  address: 127.0.0.1:0
logs:
  mode: production
  level: info
`;
}

/** php-sdk's RPC client, as an application would use it (php/hello.php of the example package). */
async function hello(address: string | undefined, ...names: string[]) {
  const res = await run(php, [helloPhp, ...names], { env: { ...process.env, RR_RPC: String(address), RR_PHP_SDK: phpSdk } });
  return { code: res.code, stderr: res.stderr, lines: res.stdout.split('\n').filter(Boolean) };
}

async function scrape(proc: RrProcess): Promise<string> {
  const line = await proc.waitForLog((l) => l.msg === 'metrics listening');
  return (await fetch(`http://${String(line.address)}/metrics`)).text();
}

describe('the greeter plugin loaded from config', () => {
  it('by package path: PHP calls greeter.Hello, the metrics plugin exports its counter', async () => {
    rr = await startRr({ config: config(greeterDir) });
    expect(rr.text).toContain('rr: plugins from config: greeter (rr-plugin-greeter 0.1.0)');
    expect(rr.text.find((l) => l.includes('plugin(s) enabled'))).toMatch(/\bgreeter\b/);
    // The CLI owns plugins:, so the kernel does not call it an unknown section.
    expect(JSON.stringify(rr.logs)).not.toContain('RR_WARN_CONFIG_UNKNOWN_SECTION');
    expect(rr.logs.find((l) => l.msg === 'greeter ready')).toMatchObject({ logger: 'greeter', greeting: 'Hello, {name}! (#{count})' });

    const res = await hello(rr.rpcAddress, 'Ada', 'Ada', 'Bob');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { message: 'Hello, Ada! (#1)', count: 1 },
      { message: 'Hello, Ada! (#2)', count: 2 },
      { message: 'Hello, Bob! (#1)', count: 1 },
      { total: 3, names: 2 },
    ]);

    const metrics = await scrape(rr);
    expect(metrics).toMatch(/^rr_greeter_greetings_total 3$/m);
    expect(metrics).toMatch(/^rr_greeter_names 2$/m);
  });

  it('by package name, resolved from node_modules next to the config (a linked install)', async () => {
    const project = tempProject({ '.rr.yaml': config('rr-plugin-greeter') });
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(greeterDir, join(project, 'node_modules/rr-plugin-greeter'));
    // startRr writes its own temp config; the later -c wins, so rr reads the project's and resolves from there.
    rr = await startRr({ config: config('rr-plugin-greeter'), args: ['-c', join(project, '.rr.yaml')] });
    expect(rr.text).toContain('rr: plugins from config: greeter (rr-plugin-greeter 0.1.0)');
    const res = await hello(rr.rpcAddress, 'Grace');
    expect(res.lines[0]).toBe('{"message":"Hello, Grace! (#1)","count":1}');
  });

  it("answers a bad call with the plugin's coded error, which PHP reads, and keeps serving", async () => {
    rr = await startRr({ config: config(greeterDir) });
    const bad = await hello(rr.rpcAddress, 'x'.repeat(65));
    expect(bad.code).toBe(2);
    expect(bad.lines).toEqual(['ERROR RR_ERR_GREETER_NAME_TOO_LONG the name has 65 characters, more than greeter.max_name_length (64)']);
    expect((await hello(rr.rpcAddress)).lines[0]).toBe('{"message":"Hello, world! (#1)","count":1}');
  });
});
