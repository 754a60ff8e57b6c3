#!/usr/bin/env node
// The only module that touches the process: argv, signals, exit codes, stdio.
import { formatError } from './format-error.js';
import { HELP, cliErrors, parseCli } from './args.js';
import { plugins } from './plugins.js';
import { startServer } from './commands/serve.js';
import { versionText } from './version-text.js';
import { RR_VERSION } from './version.js';

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCli(argv);
  if (args.flags.version || args.command === 'version') {
    out(versionText(plugins));
    return 0;
  }
  if (args.flags.help || args.command === undefined || args.command === 'help') {
    out(HELP);
    return args.command === undefined && !args.flags.help ? 1 : 0;
  }
  switch (args.command) {
    case 'serve':
      return serve(args.flags);
    default:
      throw cliErrors.UNKNOWN_COMMAND(args.command);
  }
}

async function serve(flags: ReturnType<typeof parseCli>['flags']): Promise<number> {
  // Workers inherit rr's environment; RR_VERSION is part of the worker contract (PROTOCOL §2.2).
  process.env.RR_VERSION = RR_VERSION;
  const { kernel, stopTimeoutMs, cleanup } = await startServer(flags, plugins, {
    out,
    err,
    env: process.env,
    cwd: process.cwd(),
    chdir: (dir) => process.chdir(dir),
  });

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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    err(formatError(e));
    process.exitCode = 1;
  },
);
