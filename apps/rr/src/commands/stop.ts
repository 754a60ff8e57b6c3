import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { GlobalFlags } from '../args.js';
import { cliErrors } from '../errors.js';

/** The pid `rr serve -p` wrote to `.pid` in its working directory. */
export function readPid(flags: GlobalFlags, cwd: string): number {
  const file = isAbsolute(flags.config) ? flags.config : resolve(cwd, flags.config);
  const pidFile = resolve(flags.workDir === undefined ? dirname(file) : resolve(cwd, flags.workDir), '.pid');
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch (err) {
    throw cliErrors.PID_FILE(pidFile, { cause: err, hint: 'start rr with `rr serve -p` so it writes its pid' });
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) throw cliErrors.PID_FILE(pidFile, { hint: `it holds '${text.trim()}', not a pid` });
  return pid;
}
