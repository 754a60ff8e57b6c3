export { natsPlugin, natsPlugin as default } from './plugin.js';
export { natsConfigSchema, natsJobsConfigSchema, type NatsConfig, type NatsConfigInput, type NatsJobsConfig, type NatsJobsConfigInput } from './config.js';
export { createNatsJobsDriver, natsNames, type NatsNames } from './jobs.js';
export { natsErrors } from './errors.js';
