// The public surface of @rr/plugin-server. Everything else in src/ is internal.
import { serverPlugin } from './plugin.js';

export { serverPlugin };
export default serverPlugin;
export { serverConfigSchema, type ServerConfig, type ServerConfigInput, type OnInitConfig } from './config.js';
export { serverErrors, serverDeprecations } from './errors.js';
export { RR_COMPAT_VERSION } from './env.js';
