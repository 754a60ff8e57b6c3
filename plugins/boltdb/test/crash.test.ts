import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore, tempDir, text } from './helpers.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const dir = tempDir();

describe('crash durability', () => {
  it('keeps every acknowledged write when the writer is SIGKILLed mid-stream, compactions included', async () => {
    const file = join(await dir(), 'crash.db');
    const child = spawn(process.execPath, ['--import', join(fixtures, 'register-ts.mjs'), join(fixtures, 'crash-writer.ts'), file, '16', '4'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const acked = new Map<string, number>();
    let pid = 0;
    let lockChecked: Promise<unknown> | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const [what, key, version] = line.split(' ');
      if (what === 'ready') {
        pid = Number(key);
        // A second owner, from another process, while the writer runs.
        lockChecked = openStore(file).then(
          () => 'opened',
          (err: unknown) => err,
        );
      } else if (what === 'ack') {
        acked.set(key as string, Math.max(acked.get(key as string) ?? 0, Number(version)));
        // Enough to have crossed several compactions (32 KiB values, 64 live keys ≈ 2 MiB live).
        if (acked.size === 64 && [...acked.values()].reduce((a, b) => a + b, 0) > 600) child.kill('SIGKILL');
      }
    }
    expect(await exited).toBe('SIGKILL');
    const written = [...acked.values()].reduce((a, b) => a + b, 0) * 32 * 1024;
    // Compactions ran in the child: the log is far smaller than everything it was sent.
    expect((await stat(file)).size).toBeLessThan(written / 2);
    expect(await lockChecked).toMatchObject({ code: 'RR_ERR_BOLTDB_LOCKED', details: { pid } });

    const { storage, logger } = await openStore(file);
    try {
      expect(logger.find('taking over a stale lock', 'warn')).toHaveLength(1);
      const got = await storage.mget([...acked.keys()]);
      const lost = [...acked].filter(([key, version]) => Number(text(got.get(key))?.split(':')[0] ?? 0) < version);
      expect(lost).toEqual([]);
    } finally {
      await storage.close();
    }
  }, 30_000);
});
