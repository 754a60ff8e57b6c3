import { randomBytes } from 'node:crypto';
import type { KvStorage } from '@rr/contracts';
import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { openRedisStorage, redisConfigSchema, type RedisConfigInput, type RedisStorageInternals } from '../src/index.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

/** A key prefix no other test (or helper) uses. */
export const uniquePrefix = (): string => `rr-test-${randomBytes(6).toString('hex')}:`;

/** Opens a storage from YAML-shaped options, validated by the real schema, with a recording logger. */
export async function open(
  input: RedisConfigInput,
  options: { storage?: string; logger?: RecordingLogger; internals?: RedisStorageInternals } = {},
): Promise<{ storage: KvStorage; logger: RecordingLogger }> {
  const logger = options.logger ?? recordingLogger();
  const storage = await openRedisStorage(
    { storage: options.storage ?? 'test', config: redisConfigSchema.parse(input), logger: logger.named('kv').with({ storage: options.storage ?? 'test' }) },
    options.internals,
  );
  return { storage, logger };
}

/** Resolves with how long the promise took to settle and its rejection, if any. */
export async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  try {
    await promise;
    return { ms: performance.now() - start, error: undefined };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}
