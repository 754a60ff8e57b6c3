export { servicePlugin, servicePlugin as default } from './plugin.js';
export {
  serviceConfigSchema,
  serviceEntryConfigSchema,
  type ServiceConfig,
  type ServiceConfigInput,
  type ServiceEntryConfig,
} from './config.js';
export { serviceErrors } from './errors.js';
