import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeliveredJob, JobMessage } from '@rr/contracts';
import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { afterAll } from 'vitest';
import { BoltdbJobsPipeline, LogKvStorage, type BoltdbPipelineOptions, type LogStoreOptions } from '../src/index.js';

export const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
export const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : Buffer.from(value).toString('utf8'));
/** A whole-second deadline `seconds` from now, as PHP sends them. */
export const inSeconds = (seconds: number): number => (Math.floor(Date.now() / 1000) + seconds) * 1000;

/** A temp folder per test file, removed when the file's tests end. */
export function tempDir(): () => Promise<string> {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rr-boltdb-'));
    dirs.push(dir);
    return dir;
  };
}

/** Opens a storage on `file` with test-friendly defaults, logging into `logger`. */
export async function openStore(file: string, options: Partial<LogStoreOptions> & { logger?: RecordingLogger } = {}) {
  const logger = options.logger ?? recordingLogger();
  const storage = await LogKvStorage.open({ permissions: 0o644, intervalMs: 60_000, ...options, file, logger });
  return { storage, logger };
}

/** A job message with test defaults. */
export function jobMessage(id: string, overrides: Partial<JobMessage> = {}): JobMessage {
  return { id, job: 'App\\Job', payload: bytes(`payload of ${id}`), headers: {}, priority: 10, delayMs: 0, autoAck: false, ...overrides };
}

/**
 * Opens a jobs pipeline on `file` (paused) whose deliveries land in `jobs`, the time of each in `times`;
 * `ack: true` acks each one as it arrives.
 */
export async function openPipeline(file: string, options: Partial<BoltdbPipelineOptions> & { logger?: RecordingLogger; ack?: boolean } = {}) {
  const logger = options.logger ?? recordingLogger();
  const jobs: DeliveredJob[] = [];
  const times: number[] = [];
  const pipeline = await BoltdbJobsPipeline.open({
    pipeline: 'test',
    permissions: 0o644,
    prefetch: 100,
    ...options,
    file,
    logger,
    deliver: (job) => {
      jobs.push(job);
      times.push(Date.now());
      if (options.ack === true) void job.ack();
    },
  });
  return { pipeline, jobs, times, logger };
}
