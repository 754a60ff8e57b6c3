import { httpMiddlewaresRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { createGzipMiddleware } from './gzip.js';

/**
 * The gzip plugin: provides the `gzip` HTTP middleware. No config, as in RoadRunner: always on, and
 * the middleware takes part in a request only when `http.middleware` lists `gzip`.
 */
export const gzipPlugin: Plugin = definePlugin({
  id: 'gzip',
  kernel: '^1.0.0',
  needs: { logger: loggerRef },
  provides: { middleware: httpMiddlewaresRef },
  init: ({ needs }) => ({ provides: { middleware: createGzipMiddleware({ logger: needs.logger.named('gzip') }) } }),
});
