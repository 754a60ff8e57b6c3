export { rpcPlugin, rpcPlugin as default, createRpcPlugin, type RpcPluginOptions } from './plugin.js';
export { rpcConfigSchema, type RpcConfig, type RpcConfigInput } from './config.js';
export { createRpcRpc, type RpcRpcDeps } from './rpc.js';
export { rpcErrors, rpcWarnings } from './errors.js';
