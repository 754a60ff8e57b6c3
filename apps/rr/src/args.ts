import { parseArgs } from 'node:util';
import { cliErrors } from './errors.js';

export { cliErrors };

/** The config file rr reads when no -c is given. */
export const DEFAULT_CONFIG = '.rr.yaml';

/** Global flags, named as RoadRunner names them (including the capitalised `--WorkDir`). */
export interface GlobalFlags {
  config: string;
  workDir: string | undefined;
  overrides: string[];
  dotenv: string | undefined;
  silent: boolean;
  pid: boolean;
  force: boolean;
  interactive: boolean;
  version: boolean;
  help: boolean;
  /** `rr plugin new --dir`: where the new plugin package is written. */
  dir: string | undefined;
  /** `rr jobs` in RoadRunner's flag form: `--list`, or the pipelines of `--pause/--resume/--destroy a,b`. */
  jobs: { list: boolean; pause: string | undefined; resume: string | undefined; destroy: string | undefined };
}

export interface ParsedArgs {
  command: string | undefined;
  positionals: string[];
  flags: GlobalFlags;
}

/** Parses argv (without node and script). */
export function parseCli(argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c', default: DEFAULT_CONFIG },
        WorkDir: { type: 'string', short: 'w' },
        workdir: { type: 'string' },
        override: { type: 'string', short: 'o', multiple: true, default: [] },
        dotenv: { type: 'string' },
        silent: { type: 'boolean', short: 's', default: false },
        pid: { type: 'boolean', short: 'p', default: false },
        force: { type: 'boolean', short: 'f', default: false },
        interactive: { type: 'boolean', short: 'i', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        list: { type: 'boolean', default: false },
        pause: { type: 'string' },
        resume: { type: 'string' },
        destroy: { type: 'string' },
        dir: { type: 'string' },
      },
    });
  } catch (err) {
    throw cliErrors.BAD_ARGS((err as Error).message, { cause: err });
  }
  const { values, positionals } = parsed;
  return {
    command: positionals[0],
    positionals: positionals.slice(1),
    flags: {
      config: values.config,
      workDir: values.WorkDir ?? values.workdir,
      overrides: values.override,
      dotenv: values.dotenv,
      silent: values.silent,
      pid: values.pid,
      force: values.force,
      interactive: values.interactive,
      version: values.version,
      help: values.help,
      dir: values.dir,
      jobs: { list: values.list, pause: values.pause, resume: values.resume, destroy: values.destroy },
    },
  };
}

export const HELP = `rr — RoadRunner, the PHP application server, rebuilt in TypeScript

Usage:
  rr serve   [flags]            start the server described by the config
  rr workers [plugin...] [-i]   worker tables of a running rr (-i: refresh every second)
  rr reset [plugin...]          rolling reset of the workers of a running rr (all when none named)
  rr jobs [list]                the jobs pipelines of a running rr (also --list)
  rr jobs pause|resume|destroy <p1,p2…>
                                pause, resume or destroy pipelines (also --pause p1,p2 …)
  rr stop [-f]                  stop the rr started with -p in this directory (-f: force)
  rr plugins                    the plugins compiled in and those the config's plugins: list loads
  rr plugin new <name> [--dir <path>]
                                create a third-party plugin package from the template
  rr --version                  print the version and the plugins compiled in

Flags:
  -c, --config <file>           config file (default .rr.yaml); rr works in its directory
  -w, --WorkDir <dir>           working directory (overrides the config's directory)
  -o, --override <key.path=v>   override a config value (repeatable)
      --dotenv <file>           load environment variables from a .env file (also DOTENV_PATH)
  -s, --silent                  no startup summary
  -p, --pid                     write .pid in the working directory
  -h, --help                    this help
`;
