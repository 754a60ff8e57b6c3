import { httpMiddlewaresRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { headersConfigKey, headersConfigSchema } from './config.js';
import { createHeadersMiddleware } from './middleware.js';

/**
 * The headers plugin: provides the `headers` middleware (run when `http.middleware` lists it). As in
 * RoadRunner, it is enabled only when the `http.headers` section exists.
 */
export const headersPlugin: Plugin = definePlugin({
  id: 'headers',
  kernel: '^1.0.0',
  config: { schema: headersConfigSchema, key: headersConfigKey, whenAbsent: 'disable' },
  needs: { logger: loggerRef },
  provides: { middleware: httpMiddlewaresRef },
  init({ config, needs }) {
    return { provides: { middleware: createHeadersMiddleware(config, needs.logger.named('headers')) } };
  },
});
