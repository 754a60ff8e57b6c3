import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A writable that keeps what it was given. */
export interface MemoryStream {
  readonly chunks: string[];
  readonly isTTY: boolean;
  write(chunk: string): boolean;
  text(): string;
  lines(): string[];
}

export function memoryStream(isTTY = false): MemoryStream {
  const chunks: string[] = [];
  return {
    chunks,
    isTTY,
    write: (chunk) => chunks.push(chunk) > 0,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter((l) => l !== ''),
  };
}

/** A fixed clock: 2024-05-01T12:00:00.123Z. */
export const NOW = 1714564800123;
export const now = (): number => NOW;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-logs-'));
  dirs.push(dir);
  return dir;
}
