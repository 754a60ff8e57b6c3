import { readFile } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import type { Env } from './env.js';

/**
 * Reads a .env file into `env` without overriding variables that are already set (even to `""`), as
 * godotenv's `Load` does for RoadRunner: the real environment always wins over a file. Parsing is Node's
 * `util.parseEnv` (quotes, `export`, comments, multi-line double-quoted values); unlike godotenv it does not
 * expand `${VAR}` inside the .env file itself.
 *
 * @returns `undefined` on success, or the reason the file could not be read.
 */
export async function loadDotenv(file: string, env: Env): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return reasonOf(err);
  }
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (env[key] === undefined) env[key] = value;
  }
  return undefined;
}

/** A short OS reason ("no such file or directory") rather than Node's full message with the path again. */
export function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}
