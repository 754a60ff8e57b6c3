// The public surface: the plugin (named and default export), its config types and its errors.
export { __CAMEL__Plugin, __CAMEL__Plugin as default } from './plugin.js';
export { __CAMEL__ConfigSchema, type __PASCAL__Config, type __PASCAL__ConfigInput } from './config.js';
export { create__PASCAL__Rpc } from './rpc.js';
export { __CAMEL__Errors } from './errors.js';
