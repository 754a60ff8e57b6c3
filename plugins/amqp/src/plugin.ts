import { jobsDriversRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { amqpConfigSchema } from './config.js';
import { createAmqpJobsDriver } from './driver.js';

/**
 * The amqp plugin: provides the jobs driver `amqp` (RabbitMQ). Its root section `amqp` holds the broker
 * address and TLS files; it runs on defaults when the section is absent. Init connects to nothing: each
 * pipeline connects when the jobs plugin opens it.
 */
export const amqpPlugin: Plugin = definePlugin({
  id: 'amqp',
  kernel: '^1.0.0',
  config: { schema: amqpConfigSchema, whenAbsent: 'defaults' },
  needs: { logger: loggerRef },
  provides: { jobsDriver: jobsDriversRef },
  init({ config }) {
    return { provides: { jobsDriver: createAmqpJobsDriver(config) } };
  },
});
