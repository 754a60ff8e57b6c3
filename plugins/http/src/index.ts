// The public surface of @rr/plugin-http.
import { httpPlugin } from './plugin.js';

export { httpPlugin };
export default httpPlugin;
export { httpConfigSchema, DEFAULT_MAX_REQUEST_SIZE, type HttpConfig, type HttpConfigInput } from './config.js';
export { httpErrors } from './errors.js';
