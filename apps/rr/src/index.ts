// The programmatic surface of the rr binary: embedding and custom distributions reuse these.
export { plugins } from './plugins.js';
export { startServer, summary, configuredLine, type ServeIo } from './commands/serve.js';
export { loadConfiguredPlugins, pluginEntries, kernelAccepts, PLUGINS_SECTION, type ConfiguredPlugin, type LoadPluginsOptions } from './configured-plugins.js';
export { pluginsTable } from './commands/plugins.js';
export { newPlugin, newPluginText, pluginNames, TEMPLATE_DIR, type PluginNames } from './commands/plugin-new.js';
export { parseCli, HELP, DEFAULT_CONFIG, cliErrors, type GlobalFlags, type ParsedArgs } from './args.js';
export { formatError } from './format-error.js';
export { versionText } from './version-text.js';
export { runCli, type Distribution } from './runtime.js';
export { RR_VERSION } from './version.js';
