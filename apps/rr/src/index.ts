// The programmatic surface of the rr binary: embedding and custom distributions reuse these.
export { plugins } from './plugins.js';
export { startServer, summary, type ServeIo } from './commands/serve.js';
export { parseCli, HELP, cliErrors, type GlobalFlags, type ParsedArgs } from './args.js';
export { formatError } from './format-error.js';
export { versionText } from './version-text.js';
export { runCli, type Distribution } from './runtime.js';
export { RR_VERSION } from './version.js';
