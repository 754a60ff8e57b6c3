import type { JobsDriver } from '@rr/contracts';
import { boltdbJobsConfigSchema, type BoltdbJobsConfig } from './config.js';
import { BoltdbJobsPipeline } from './jobs-pipeline.js';

/**
 * The jobs driver `boltdb` (RoadRunner's name for its persistent local driver): each pipeline owns one
 * file, locked against a second opener, kv storages included.
 */
export const boltdbJobsDriver: JobsDriver<BoltdbJobsConfig> = {
  name: 'boltdb',
  configSchema: boltdbJobsConfigSchema,
  // RoadRunner's boltdb default (its sample config says 100 000; the code says 1000).
  defaultPrefetch: 1000,
  open(ctx) {
    return BoltdbJobsPipeline.open({
      pipeline: ctx.pipeline,
      file: ctx.config.file,
      permissions: ctx.config.permissions,
      prefetch: ctx.prefetch,
      logger: ctx.logger,
      deliver: ctx.deliver,
    });
  },
};

