export { grpcPlugin, grpcPlugin as default } from './plugin.js';
export { grpcConfigSchema, CLIENT_AUTH_TYPES, type ClientAuthType, type GrpcConfig, type GrpcConfigInput } from './config.js';
export { grpcErrors } from './errors.js';
