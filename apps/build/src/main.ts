#!/usr/bin/env node
// The rr-build binary: argv in, exit code out; everything else lives in cli.ts.
import { readFileSync } from 'node:fs';
import { runBuildCli } from './cli.js';

// Read at run time (src/ and dist/ are both one level below the package root), as apps/rr does.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

process.exitCode = await runBuildCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  cwd: process.cwd(),
  version,
});
