// The only module that touches the process: argv, signals, exit codes, stdio. Every distribution's
// entry (apps/rr's main.ts, and the ones rr-build generates) calls runCli with its own plugin list;
// nothing here imports a plugin except logs, which serve needs for its own log lines.
import type { Plugin } from '@rr/kernel';
import { formatError } from './format-error.js';
import { HELP, cliErrors, parseCli } from './args.js';
import { startServer } from './commands/serve.js';
import { connectRpc, rpcAddress } from './commands/rpc.js';
import { workersTables } from './commands/workers.js';
import { resetPlugins } from './commands/reset.js';
import { parseJobsCommand, runJobs } from './commands/jobs.js';
import { readPid } from './commands/stop.js';
import { versionText } from './version-text.js';
import { pluginsTable } from './commands/plugins.js';
import { newPlugin, newPluginText } from './commands/plugin-new.js';

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

/** What a distribution is made of: its name and version (`rr --version`, `rpc.Version`) and its plugins. */
export interface Distribution {
  /** The binary's name, e.g. `rr` or a custom build's. */
  name: string;
  version: string;
  /** The bill of materials, in registration order (dependencies decide the real order). */
  plugins: readonly Plugin[];
}

async function main(dist: Distribution, argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.flags.version || args.command === 'version') {
    out(versionText(dist));
    return 0;
  }
  if (args.flags.help || args.command === undefined || args.command === 'help') {
    out(HELP);
    return args.command === undefined && !args.flags.help ? 1 : 0;
  }
  switch (args.command) {
    case 'serve':
      return serve(dist, args.flags);
    case 'workers':
      return workers(args.flags, args.positionals);
    case 'reset':
      return reset(args.flags, args.positionals);
    case 'jobs':
      return jobs(args.flags, args.positionals);
    case 'stop':
      return stop(args.flags);
    case 'plugins':
      out(await pluginsTable(args.flags, dist, { cwd: process.cwd(), env: process.env }));
      return 0;
    case 'plugin':
      return plugin(args.flags, args.positionals);
    default:
      throw cliErrors.UNKNOWN_COMMAND(args.command);
  }
}

async function serve(dist: Distribution, flags: ReturnType<typeof parseCli>['flags']): Promise<number> {
  // Workers inherit rr's environment; RR_VERSION is part of the worker contract (PROTOCOL §2.2).
  process.env.RR_VERSION = dist.version;
  const { kernel, stopTimeoutMs, cleanup } = await startServer(flags, dist.plugins, {
    out,
    err,
    env: process.env,
    cwd: process.cwd(),
    chdir: (dir) => process.chdir(dir),
  }, dist);

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      err(`rr: ${signal} received, stopping (send it again to force)`);
      // A stop that overruns every plugin's deadline must not hang forever.
      setTimeout(() => {
        err('rr: stop deadline passed, exiting');
        process.exit(1);
      }, stopTimeoutMs * 2 + 5_000).unref();
      kernel.stop().catch(() => undefined);
    } else {
      err('rr: forced exit');
      cleanup();
      process.exit(1);
    }
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) process.on(s, onSignal);

  try {
    await kernel.done;
    return 0;
  } catch (e) {
    err(formatError(e));
    return 1;
  } finally {
    cleanup();
  }
}

async function workers(flags: ReturnType<typeof parseCli>['flags'], only: string[]): Promise<number> {
  const client = await connectRpc(await rpcAddress(flags, process.cwd(), process.env));
  try {
    if (!flags.interactive) {
      out(await workersTables(client, only));
      return 0;
    }
    // -i: redraw every second until Ctrl-C, like RoadRunner.
    let running = true;
    process.once('SIGINT', () => (running = false));
    while (running) {
      const text = await workersTables(client, only);
      process.stdout.write(`\x1b[2J\x1b[H${text}\n`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    return 0;
  } finally {
    await client.close();
  }
}

async function reset(flags: ReturnType<typeof parseCli>['flags'], only: string[]): Promise<number> {
  const client = await connectRpc(await rpcAddress(flags, process.cwd(), process.env));
  try {
    const { lines, failed } = await resetPlugins(client, only);
    for (const line of lines) out(line);
    return failed === 0 ? 0 : 1;
  } finally {
    await client.close();
  }
}

async function jobs(flags: ReturnType<typeof parseCli>['flags'], words: string[]): Promise<number> {
  // RoadRunner's flag form (`rr jobs --pause a,b`) and the subcommand form (`rr jobs pause a b`).
  const { list, pause, resume, destroy } = flags.jobs;
  const flagged = pause !== undefined ? ['pause', pause] : resume !== undefined ? ['resume', resume] : destroy !== undefined ? ['destroy', destroy] : list ? ['list'] : [];
  const command = parseJobsCommand(flagged.length > 0 ? flagged : words);
  const client = await connectRpc(await rpcAddress(flags, process.cwd(), process.env));
  try {
    out(await runJobs(client, command));
    return 0;
  } finally {
    await client.close();
  }
}

function plugin(flags: ReturnType<typeof parseCli>['flags'], words: string[]): number {
  const [sub, name, ...rest] = words;
  if (sub !== 'new' || name === undefined || rest.length > 0) throw cliErrors.BAD_ARGS('usage: rr plugin new <name> [--dir <path>]');
  out(newPluginText(newPlugin({ name, dir: flags.dir, cwd: process.cwd() }), process.cwd()));
  return 0;
}

async function stop(flags: ReturnType<typeof parseCli>['flags']): Promise<number> {
  const pid = readPid(flags, process.cwd());
  process.kill(pid, 'SIGTERM');
  if (flags.force) {
    // A second signal forces rr out, as with RoadRunner's `rr stop -f`.
    await new Promise((r) => setTimeout(r, 1000));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  out(`rr: sent SIGTERM to ${pid}`);
  return 0;
}

/**
 * Runs the rr command line for `dist` on `argv` (default: this process's) and sets the exit code.
 * Never rejects: every error is printed with its code.
 */
export async function runCli(dist: Distribution, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main(dist, argv);
  } catch (e) {
    err(formatError(e));
    process.exitCode = 1;
  }
}
