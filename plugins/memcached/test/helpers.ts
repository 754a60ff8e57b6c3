import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { memcachedConfigSchema, openMemcachedStorage, type MemcachedConfigInput, type MemcachedStorage } from '../src/index.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

/** Opens a storage from YAML-shaped options, validated by the real schema, with a recording logger. */
export async function open(
  input: MemcachedConfigInput,
  options: { storage?: string; logger?: RecordingLogger } = {},
): Promise<{ storage: MemcachedStorage; logger: RecordingLogger }> {
  const logger = options.logger ?? recordingLogger();
  const name = options.storage ?? 'test';
  const storage = await openMemcachedStorage({ storage: name, config: memcachedConfigSchema.parse(input), logger: logger.named('kv').with({ storage: name }) });
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
