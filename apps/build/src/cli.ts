import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isRrError } from '@rr/errors';
import { buildDistribution, formatReport } from './build.js';
import { loadBuildConfig } from './config.js';
import { buildErrors } from './errors.js';
import { generateFiles } from './generate-files.js';

export const HELP = `rr-build: build an rr distribution from a list of plugins (RoadRunner's Velox, for npm)

Usage:
  rr-build build    -c rr-build.yaml [-o <dir>] [--format file|dir] [--from <dir>]
                    [--cache <dir>] [--no-install] [--no-smoke] [--json]
  rr-build generate -c rr-build.yaml [--entry <file>] [--plugins <file>] [--check] [--from <dir>]
  rr-build --help | --version

Commands:
  build      resolve and check the plugins, bundle them with esbuild, run <artifact> --version,
             print what was produced and write build-report.json next to it
  generate   write the entry module (--entry, JavaScript) and/or a plugins.ts list (--plugins) without
             bundling; --check compares instead and fails when a file differs (drift check)

Options:
  -c, --config <file>   the build config (default rr-build.yaml)
  -o, --out <dir>       output directory (default: output.dir of the config)
      --format <f>      file (one executable .mjs) or dir (plus package.json and rr-build.lock.json)
      --from <dir>      resolve package names from <dir> instead of the config's directory
      --cache <dir>     where registry installs go (default ~/.cache/rr-build)
      --no-install      never run npm; an unresolvable package is an error
      --no-smoke        skip the --version smoke test
      --json            print build-report.json to stdout instead of the table
  -h, --help            this text
  -v, --version         rr-build's version

Errors are printed as RR_ERR_BUILD_<WHAT> with a hint; the exit code is 1. See apps/build/README.md.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  version: string;
}

/** Runs rr-build on `argv`; resolves with the exit code. Never rejects: errors are printed with their code. */
export async function runBuildCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await main(argv, io);
  } catch (err) {
    if (isRrError(err)) {
      io.err(`rr-build: ${err.code}: ${err.message}`);
      if (err.hint !== undefined) io.err(`  hint: ${err.hint}`);
    } else {
      io.err(`rr-build: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    return 1;
  }
}

async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c', default: 'rr-build.yaml' },
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        from: { type: 'string' },
        cache: { type: 'string' },
        'no-install': { type: 'boolean', default: false },
        'no-smoke': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        entry: { type: 'string' },
        plugins: { type: 'string' },
        check: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (err) {
    throw buildErrors.USAGE(err instanceof Error ? err.message : String(err));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    io.out(HELP);
    return 0;
  }
  if (v.version) {
    io.out(`rr-build ${io.version}`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === undefined) {
    io.out(HELP);
    return 1;
  }
  if (rest.length > 0) throw buildErrors.USAGE(`unexpected argument(s): ${rest.join(' ')}`);
  const at = (p: string | undefined) => (p === undefined ? undefined : resolve(io.cwd, p));
  switch (command) {
    case 'build': {
      if (v.format !== undefined && v.format !== 'file' && v.format !== 'dir') throw buildErrors.USAGE(`--format must be file or dir, not ${v.format}`);
      const config = loadBuildConfig(resolve(io.cwd, v.config));
      const report = await buildDistribution(config, {
        outDir: at(v.out),
        format: v.format as 'file' | 'dir' | undefined,
        from: at(v.from),
        cacheDir: at(v.cache),
        install: !v['no-install'],
        smoke: !v['no-smoke'],
        log: (line) => io.err(`rr-build: ${line}`),
      });
      io.out(v.json ? JSON.stringify(report, null, 2) : formatReport(report));
      return 0;
    }
    case 'generate': {
      const config = loadBuildConfig(resolve(io.cwd, v.config));
      const files = generateFiles(config, { entry: at(v.entry), plugins: at(v.plugins), check: v.check, from: at(v.from) });
      for (const f of files) io.out(`${v.check ? 'up to date' : 'wrote'} ${f}`);
      return 0;
    }
    default:
      throw buildErrors.USAGE(`unknown command "${command}" (build, generate)`);
  }
}
