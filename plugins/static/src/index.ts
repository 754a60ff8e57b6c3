export { staticPlugin, staticPlugin as default } from './plugin.js';
export { staticConfigSchema, staticConfigKey, type StaticConfig, type StaticConfigInput } from './config.js';
export { createStaticMiddleware, resolveStaticRoot, type StaticMiddlewareOptions } from './middleware.js';
export { classifyRequestPath, type PathVerdict } from './request-path.js';
export { staticErrors } from './errors.js';
