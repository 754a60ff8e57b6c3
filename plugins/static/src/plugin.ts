import { httpMiddlewaresRef, loggerRef } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { staticConfigKey, staticConfigSchema } from './config.js';
import { createStaticMiddleware, resolveStaticRoot } from './middleware.js';

/**
 * The static plugin: provides the `static` HTTP middleware, which the http plugin runs when `static` is
 * listed in `http.middleware`. Enabled by the `http.static` section, as in RoadRunner; init fails when
 * `dir` is not a readable directory.
 */
export const staticPlugin: Plugin = definePlugin({
  id: 'static',
  kernel: '^1.0.0',
  config: { schema: staticConfigSchema, key: staticConfigKey, whenAbsent: 'disable' },
  needs: { logger: loggerRef },
  provides: { middleware: httpMiddlewaresRef },
  async init({ config, needs }) {
    const root = await resolveStaticRoot(config.dir);
    return { provides: { middleware: createStaticMiddleware({ config, root, logger: needs.logger.named('static') }) } };
  },
});
