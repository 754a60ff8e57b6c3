import { httpMiddlewaresRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { createSendfileMiddleware } from './sendfile.js';

/**
 * The sendfile plugin: provides the `sendfile` HTTP middleware (X-Sendfile). No config, as in
 * RoadRunner: always on, and the middleware takes part in a request only when `http.middleware` lists
 * `sendfile`.
 */
export const sendfilePlugin: Plugin = definePlugin({
  id: 'sendfile',
  kernel: '^1.0.0',
  needs: { logger: loggerRef },
  provides: { middleware: httpMiddlewaresRef },
  init: ({ needs }) => ({ provides: { middleware: createSendfileMiddleware({ logger: needs.logger.named('sendfile') }) } }),
});
