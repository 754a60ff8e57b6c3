import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isRrError, type RrError } from '@rr/errors';
import { afterEach, expect } from 'vitest';
import type { ZodType } from 'zod';
import { issuesFromZod, type ConfigIssue } from '../src/index.js';

/**
 * A fresh temp dir per test, removed after it. `write('a/b.yaml', text)` creates parents and returns the
 * absolute path.
 */
export function useTempDir(): { dir: () => string; write: (rel: string, text: string) => Promise<string> } {
  let current: string | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    current = undefined;
  });
  const dir = () => {
    if (current === undefined) throw new Error('call write() first, or await ensure()');
    return current;
  };
  const write = async (rel: string, text: string) => {
    if (current === undefined) {
      current = await mkdtemp(join(tmpdir(), 'rr-config-'));
      dirs.push(current);
    }
    const file = join(current, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
    return file;
  };
  return { dir, write };
}

/** Runs `fn`, expects an RrError with `code`, and returns it. */
export async function rejection(fn: () => Promise<unknown>, code: string): Promise<RrError> {
  try {
    await fn();
  } catch (err) {
    if (!isRrError(err)) throw err;
    expect(err.code).toBe(code);
    return err;
  }
  throw new Error(`expected ${code}, but nothing was thrown`);
}

/** The `{ path, code }` pairs of an RR_ERR_CONFIG_INVALID, sorted for order-free comparison. */
export async function invalidIssues(fn: () => Promise<unknown>): Promise<{ path: string; code: string }[]> {
  const err = await rejection(fn, 'RR_ERR_CONFIG_INVALID');
  const issues = err.details.issues as ConfigIssue[];
  return issues.map(({ path, code }) => ({ path, code }));
}

/** Parses `input` with a schema under key `f`: the output value, or the issues as `issuesFromZod` maps them. */
export function check(schema: ZodType, input: unknown): { value: unknown } | { issues: { path: string; code: string; message: string }[] } {
  const r = schema.safeParse(input);
  if (r.success) return { value: r.data };
  return { issues: issuesFromZod(r.error, 'f') };
}
