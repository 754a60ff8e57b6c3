export { amqpPlugin, amqpPlugin as default } from './plugin.js';
export {
  amqpConfigSchema,
  amqpPipelineConfigSchema,
  type AmqpConfig,
  type AmqpConfigInput,
  type AmqpPipelineConfig,
  type AmqpPipelineConfigInput,
} from './config.js';
export { amqpErrors } from './errors.js';
export { createAmqpJobsDriver, AMQP_DEFAULT_PREFETCH } from './driver.js';
export type { AmqpTimings } from './pipeline.js';
export { RR_HEADERS, UNKNOWN_JOB, ROUTING_KEY_HEADER } from './wire.js';
