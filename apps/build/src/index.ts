// The programmatic surface of rr-build: the same steps the CLI runs, for scripts and tests.
export { buildDistribution, formatReport, HEAVY_DEPENDENCIES, type BuildOptions, type BuildReport } from './build.js';
export { loadBuildConfig, parseBuildConfig, buildConfigSchema, type BuildConfig, type BuildConfigInput, type ConfigIssue, type OverrideSpec, type PluginSpec } from './config.js';
export { buildErrors } from './errors.js';
export { generateEntry, generatePluginsModule, importNames, BUILD_INFO_GLOBAL, type BuildInfo } from './generate.js';
export { generateFiles, pluginExports, type GenerateOptions } from './generate-files.js';
export { resolveDistribution, defaultCacheDir, type Resolution, type ResolvedPackage, type ResolveOptions } from './resolve.js';
export { createWorkDir, inspectPlugins, type Inspection, type InspectedPlugin, type WorkDir } from './inspect.js';
export { bundle, banner, type BundleOptions, type BundleResult, type BundledPackage, type RelocatedModule } from './bundle.js';
export { smokeTest, type SmokeResult } from './smoke.js';
export { runBuildCli, HELP, type CliIo } from './cli.js';
