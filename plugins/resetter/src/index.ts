export { resetterPlugin, resetterPlugin as default } from './plugin.js';
export { createResetterRpc } from './rpc.js';
export { Resetter } from './resetter.js';
export { resetterErrors } from './errors.js';
