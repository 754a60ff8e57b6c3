export { proxyIpParserPlugin, proxyIpParserPlugin as default } from './plugin.js';
export {
  proxyIpParserConfigSchema,
  proxyIpParserConfigKey,
  DEFAULT_TRUSTED_HEADERS,
  type ProxyIpParserConfig,
  type ProxyIpParserConfigInput,
} from './config.js';
export { createProxyIpParserMiddleware } from './middleware.js';
export { parseAddress, forwardedFor, firstListed, parseSubnet } from './ip.js';
export { proxyIpParserErrors } from './errors.js';
