export { statusPlugin, statusPlugin as default } from './plugin.js';
export { statusConfigSchema, DEFAULT_CHECK_TIMEOUT_MS, type StatusConfig, type StatusConfigInput } from './config.js';
export { StatusChecker, type CheckAnswer, type CheckKind, type CheckResult, type StatusCheckerOptions } from './checker.js';
export { StatusServer, SHUTTING_DOWN } from './server.js';
export { createStatusRpc } from './rpc.js';
export { decodeRequest, decodeResponse, encodeRequest, encodeResponse } from './proto.js';
export { statusErrors } from './errors.js';
