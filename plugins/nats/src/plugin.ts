import { jobsDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { natsConfigSchema } from './config.js';
import { createNatsJobsDriver } from './jobs.js';

/**
 * The nats plugin: provides the `nats` jobs driver. Its root section `nats` holds the server address
 * (RoadRunner's global nats config); absent, the defaults apply. Connects nothing at init: each pipeline
 * connects when the jobs plugin opens it.
 */
export const natsPlugin: Plugin = definePlugin({
  id: 'nats',
  kernel: '^1.0.0',
  config: { schema: natsConfigSchema, whenAbsent: 'defaults' },
  needs: { logger: loggerRef },
  provides: { jobsDriver: jobsDriversRef },
  init({ config, needs }) {
    needs.logger.named('nats').debug('nats jobs driver registered', { addr: config.addr });
    return { provides: { jobsDriver: createNatsJobsDriver(config) } };
  },
});
