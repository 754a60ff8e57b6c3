import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DeliveredJob } from '@rr/contracts';
import { recordingLogger } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { BoltdbJobsPipeline } from '../src/index.js';
import { tempDir } from './helpers.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const dir = tempDir();

describe('jobs crash durability', () => {
  it('delivers every acknowledged push that was not acked after a SIGKILL mid-stream, once, and no acked one', async () => {
    const file = join(await dir(), 'jobs.db');
    const child = spawn(process.execPath, ['--import', join(fixtures, 'register-ts.mjs'), join(fixtures, 'jobs-crash-worker.ts'), file, String(64 * 1024)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const attempted = new Set<string>();
    const pushed = new Set<string>();
    const due = new Map<string, number>();
    const acking = new Set<string>();
    const acked = new Set<string>();
    const requeued = new Set<string>();
    let compactions = 0;
    let lockChecked: Promise<unknown> | undefined;
    let pid = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const [what, id = '', arg] = line.split(' ');
      if (what === 'ready') {
        pid = Number(id);
        // A second owner, from another process, while the child runs.
        lockChecked = BoltdbJobsPipeline.open({ pipeline: 'other', file, permissions: 0o644, prefetch: 1, logger: recordingLogger(), deliver: () => undefined }).then(
          () => 'opened',
          (err: unknown) => err,
        );
      } else if (what === 'push') attempted.add(id);
      else if (what === 'pushed') pushed.add(id);
      else if (what === 'delayed') {
        pushed.add(id);
        due.set(id, Number(arg));
      } else if (what === 'acking') acking.add(id);
      else if (what === 'acked') acked.add(id);
      else if (what === 'requeued') requeued.add(id);
      else if (what === 'log' && line === 'log jobs file compacted') compactions++;
      // Far enough for compactions (2 KiB payloads, compaction past 64 KiB) and a few delayed jobs.
      if (acked.size >= 400 && pushed.size >= 450 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(await lockChecked).toMatchObject({ code: 'RR_ERR_BOLTDB_LOCKED', details: { pid } });
    expect(compactions).toBeGreaterThan(0);
    // Compacted in the child: smaller than the payloads pushed (acked jobs were dropped).
    expect((await stat(file)).size).toBeLessThan(pushed.size * 2048);

    // An ack that was under way at the kill may or may not have reached the disk: "maybe", like a push.
    const expected = [...pushed].filter((id) => !acking.has(id));
    expect(expected.length).toBeGreaterThan(0);
    // At most one ack per consumer of the child (6) was under way.
    expect([...acking].filter((id) => !acked.has(id)).length).toBeLessThanOrEqual(6);
    const got: { job: DeliveredJob; at: number }[] = [];
    const logger = recordingLogger();
    const pipeline = await BoltdbJobsPipeline.open({
      pipeline: 'crash',
      file,
      permissions: 0o644,
      prefetch: 1000,
      logger,
      deliver: (job) => {
        got.push({ job, at: Date.now() });
        void job.ack();
      },
    });
    try {
      expect(logger.find('taking over a stale lock', 'warn')).toHaveLength(1);
      // Delayed pushes of the last 1.5 s before the kill are still waiting, and keep their due time.
      const stat0 = await pipeline.stat();
      expect(stat0.delayed).toBeGreaterThan(0);
      expect(stat0.reserved).toBe(0);
      await pipeline.resume();
      const ids = () => new Set(got.map((g) => g.job.id));
      await expect.poll(() => expected.filter((id) => !ids().has(id)), { timeout: 10_000, interval: 50 }).toEqual([]);
      // Whatever is still due comes too: unacknowledged pushes may have survived ("maybe").
      await expect.poll(async () => (await pipeline.stat()).active + (await pipeline.stat()).delayed, { timeout: 5000, interval: 50 }).toBe(0);

      const deliveredIds = got.map((g) => g.job.id);
      expect(deliveredIds.filter((id) => acked.has(id))).toEqual([]);
      expect(deliveredIds.filter((id) => !attempted.has(id))).toEqual([]);
      // A requeue is one record: the original or its copy survives, never both.
      expect(deliveredIds.length).toBe(new Set(deliveredIds).size);
      for (const { job, at } of got) {
        if (requeued.has(job.id)) expect(job.headers.requeued).toEqual(['1']);
        const dueAt = due.get(job.id);
        if (dueAt !== undefined) expect(at).toBeGreaterThanOrEqual(dueAt);
        expect(job.payload.byteLength).toBe(2048);
      }
    } finally {
      await pipeline.stop();
    }
  }, 30_000);
});
