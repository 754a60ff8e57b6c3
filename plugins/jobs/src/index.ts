export { jobsPlugin, jobsPlugin as default } from './plugin.js';
export { jobsConfigSchema, pipelineOptionsSchema, DEFAULT_MAX_ATTEMPTS, type JobsConfig, type JobsConfigInput, type PipelineOptions } from './config.js';
export { jobsErrors } from './errors.js';
export { ATTEMPTS_HEADER, DEAD_LETTER_HEADERS, MAX_BACKOFF_MS } from './jobs.js';
export { jobsProto, type WireJob, type WireStat } from './proto.js';
