export { informerPlugin, informerPlugin as default } from './plugin.js';
export { createInformerRpc } from './rpc.js';
export { Informer, JOBS_TIMEOUT_MS, toJobsState, type JobsState } from './informer.js';
export { informerErrors } from './errors.js';
