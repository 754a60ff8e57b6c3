export { headersPlugin, headersPlugin as default } from './plugin.js';
export { headersConfigSchema, headersConfigKey, type HeadersConfig, type HeadersConfigInput, type CorsConfig } from './config.js';
export { createHeadersMiddleware, addRequestHeader } from './middleware.js';
export { Cors, type CorsDecision } from './cors.js';
export { headersErrors } from './errors.js';
