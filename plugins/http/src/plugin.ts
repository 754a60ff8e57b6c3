import { loggerRef, poolFactoryRef, resettablesRef, statusSourcesRef, workerSourcesRef } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { httpConfigSchema, unsupportedWarnings } from './config.js';
import { httpErrors } from './errors.js';
import { createRequestHandler } from './handler.js';
import { HttpServer } from './server.js';
import { createStatusSource } from './status.js';

/**
 * The `http` plugin: a fastify listener forwarding every request to the PHP workers of its own pool
 * (RoadRunner's http plugin, wire-compatible with spiral/roadrunner-http 3.x).
 */
export const httpPlugin = definePlugin({
  id: 'http',
  kernel: '^1.0.0',
  config: { schema: httpConfigSchema },
  needs: { poolFactory: poolFactoryRef, logger: loggerRef },
  provides: { workers: workerSourcesRef, resettable: resettablesRef, status: statusSourcesRef },
  async init({ config, needs, disable }) {
    if (config.address === undefined && config.ssl === undefined && config.fcgi === undefined) return disable('no http.address');
    const logger = needs.logger.named('http');
    for (const warning of unsupportedWarnings(config)) logger.warn(warning);
    if (config.address === undefined) {
      const names = [config.ssl && 'http.ssl', config.fcgi && 'http.fcgi'].filter(Boolean);
      throw httpErrors.NO_LISTENER(`${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'}`);
    }
    const pool = await needs.poolFactory.newPool({ name: 'http', mode: 'http', config: config.pool, logger });
    const server = new HttpServer({
      address: config.address,
      bodyLimit: config.max_request_size,
      handle: createRequestHandler({ pool, config, logger }),
    });
    return {
      provides: {
        workers: {
          name: 'http',
          workers: () => pool.workers(),
          addWorker: () => pool.addWorker(),
          removeWorker: () => pool.removeWorker(),
        },
        resettable: { name: 'http', reset: () => pool.reset() },
        status: createStatusSource(pool),
      },
      async serve() {
        const address = await server.listen();
        logger.info('http server listening', { address });
      },
      async stop({ signal }) {
        try {
          await server.close(signal);
        } finally {
          // This plugin created the pool, so it destroys it once no request can reach it any more.
          await pool.destroy();
        }
      },
    };
  },
});
