import { duration } from '@rr/config';
import { z } from 'zod';

const DEFAULT_INTERVAL_MS = 60_000;

/**
 * The memory driver's options: the root `memory` section (RoadRunner has no keys here; rr adds the sweep
 * interval), or `kv.<storage>.config` of a storage with `driver: memory`.
 */
export const memoryConfigSchema = z
  .strictObject({
    interval: duration({ bare: 's' })
      .default(DEFAULT_INTERVAL_MS)
      .transform((ms) => (ms === 0 ? DEFAULT_INTERVAL_MS : ms))
      .describe('How often expired items are freed (default 60s; a bare number is seconds; 0 = 60s). Expired items are invisible at once either way'),
  })
  .describe('In-process kv storages (driver memory): fast, lost on restart');

/** The resolved `memory` section. */
export type MemoryConfig = z.output<typeof memoryConfigSchema>;
/** The `memory` section as written in YAML. */
export type MemoryConfigInput = z.input<typeof memoryConfigSchema>;
