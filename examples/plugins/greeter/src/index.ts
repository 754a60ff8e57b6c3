// The public surface: the plugin (named and default export), its config, its parts and its errors.
export { greeterPlugin, greeterPlugin as default } from './plugin.js';
export { greeterConfigSchema, type GreeterConfig, type GreeterConfigInput } from './config.js';
export { Greeter, type Greeting } from './greeter.js';
export { createGreeterRpc } from './rpc.js';
export { greeterErrors } from './errors.js';
