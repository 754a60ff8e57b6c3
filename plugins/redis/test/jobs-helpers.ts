import { randomBytes, randomUUID } from 'node:crypto';
import type { DeliveredJob, JobMessage, JobsDriver, JobsPipeline } from '@rr/contracts';
import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { Redis } from 'ioredis';
import { delayedKeyOf } from '../src/index.js';
import { until } from './servers.js';

/** A stream name no other test uses (delete it afterwards with {@link dropStreams}). */
export const uniqueStream = (): string => `rr-test:jobs:${randomBytes(6).toString('hex')}`;

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

export function message(overrides: Partial<JobMessage> = {}): JobMessage {
  return { id: randomUUID(), job: 'App\\Job', payload: bytes('payload'), headers: {}, priority: 10, delayMs: 0, autoAck: false, ...overrides };
}

export interface Opened {
  pipeline: JobsPipeline;
  /** Every delivery, in order. */
  jobs: DeliveredJob[];
  logger: RecordingLogger;
  /** Resolves with the `count`-th delivery (1-based). */
  nth(count: number, timeoutMs?: number): Promise<DeliveredJob>;
}

/** Opens a pipeline (paused) with options validated by the driver's schema, as the jobs plugin does. */
export async function openPipeline(
  driver: JobsDriver,
  options: { config: unknown; name?: string; prefetch?: number; priority?: number; deliver?: (job: DeliveredJob) => void | Promise<void> },
): Promise<Opened> {
  const validated = await driver.configSchema['~standard'].validate(options.config);
  if (validated.issues !== undefined) throw new Error(`invalid options: ${JSON.stringify(validated.issues)}`);
  const jobs: DeliveredJob[] = [];
  const logger = recordingLogger();
  const name = options.name ?? `p-${randomBytes(3).toString('hex')}`;
  const pipeline = await driver.open({
    pipeline: name,
    config: validated.value,
    priority: options.priority ?? 10,
    prefetch: options.prefetch ?? 10,
    logger: logger.named('jobs').with({ pipeline: name }),
    deliver: (job) => {
      jobs.push(job);
      return options.deliver?.(job);
    },
  });
  return {
    pipeline,
    jobs,
    logger,
    async nth(count, timeoutMs = 5000) {
      await until(() => jobs.length >= count, timeoutMs, `delivery #${count}`);
      return jobs[count - 1] as DeliveredJob;
    },
  };
}

/** A plain client of the shared Redis, to look at and clean up what the driver wrote. */
export const admin = (): Redis => new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false, maxRetriesPerRequest: 1 });

export async function dropStreams(client: Redis, streams: readonly string[]): Promise<void> {
  for (const stream of streams) await client.del(stream, delayedKeyOf(stream));
}
