export { appPlugin, appPlugin as default } from './plugin.js';
export { createAppRpc } from './rpc.js';
export { decodeLogEntry, encodeLogEntry, type LogAttr, type LogEntry } from './proto.js';
export { appErrors } from './errors.js';
