import { z } from 'zod';

/**
 * One `kv.<name>` storage. `driver` is required, but it is checked by the plugin at init rather than
 * here, so a missing driver is reported together with every driver's config issues in one error; the
 * JSON Schema still marks it required for editors. `config` stays opaque: the driver validates it.
 */
export const kvStorageConfigSchema = z
  .strictObject({
    driver: z.string().optional().describe('The driver that holds this storage: memory, boltdb, redis, memcached … (required; its plugin must be in the build)'),
    config: z
      .record(z.string(), z.unknown())
      .nullish()
      .describe("The driver's options for this storage, validated by the driver; when absent, the driver's root section (e.g. `redis:`) is used"),
  })
  .meta({ required: ['driver'] })
  .describe('A storage: a driver and its options');

/** The `kv` section: storages by name, the names PHP passes to the kv client. Its presence enables the plugin. */
export const kvConfigSchema = z
  .record(z.string(), kvStorageConfigSchema)
  .describe('Key/value storages by name (RoadRunner kv); each names a driver and, optionally, its config');

/** The resolved `kv` section. */
export type KvConfig = z.output<typeof kvConfigSchema>;
/** The `kv` section as written in YAML. */
export type KvConfigInput = z.input<typeof kvConfigSchema>;
/** One resolved `kv.<name>` entry. */
export type KvStorageConfig = z.output<typeof kvStorageConfigSchema>;
