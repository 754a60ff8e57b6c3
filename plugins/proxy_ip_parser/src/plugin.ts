import { httpMiddlewaresRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { proxyIpParserConfigKey, proxyIpParserConfigSchema } from './config.js';
import { createProxyIpParserMiddleware } from './middleware.js';

/**
 * The proxy_ip_parser plugin: provides the `proxy_ip_parser` middleware (run when `http.middleware`
 * lists it). As in RoadRunner, it is disabled unless `http.trusted_subnets` lists at least one subnet.
 */
export const proxyIpParserPlugin: Plugin = definePlugin({
  id: 'proxy_ip_parser',
  kernel: '^1.0.0',
  config: { schema: proxyIpParserConfigSchema, key: proxyIpParserConfigKey, whenAbsent: 'disable' },
  provides: { middleware: httpMiddlewaresRef },
  init({ config, disable }) {
    if (config.trusted_subnets.length === 0) return disable("no 'http.trusted_subnets'");
    return { provides: { middleware: createProxyIpParserMiddleware(config) } };
  },
});
