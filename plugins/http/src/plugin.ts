import { loggerRef, metricsCollectorsRef, poolFactoryRef, resettablesRef, statusSourcesRef, workerSourcesRef, type WorkerPool } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { httpConfigSchema, unsupportedWarnings } from './config.js';
import { httpErrors } from './errors.js';
import { createRequestHandler } from './handler.js';
import { HttpMetrics } from './metrics.js';
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
  provides: { workers: workerSourcesRef, resettable: resettablesRef, status: statusSourcesRef, metrics: metricsCollectorsRef },
  async init({ config, needs, disable }) {
    if (config.address === undefined && config.ssl === undefined && config.fcgi === undefined) return disable('no http.address');
    const logger = needs.logger.named('http');
    for (const warning of unsupportedWarnings(config)) logger.warn(warning);
    if (config.address === undefined) {
      const names = [config.ssl && 'http.ssl', config.fcgi && 'http.fcgi'].filter(Boolean);
      throw httpErrors.NO_LISTENER(`${names.join(' and ')} ${names.length > 1 ? 'are' : 'is'}`);
    }
    // The pool is created in serve, not here: serve follows needs edges, so rpc (which needs less) is
    // already listening when workers boot, and a worker that calls RPC at start-up reaches it
    // (RoadRunner orders this with plugin weights).
    let pool: WorkerPool | undefined;
    let server: HttpServer | undefined;
    const metrics = new HttpMetrics();
    const started = (): WorkerPool => {
      if (pool === undefined) throw httpErrors.NOT_STARTED();
      return pool;
    };
    return {
      provides: {
        workers: {
          name: 'http',
          workers: () => pool?.workers() ?? [],
          addWorker: () => started().addWorker(),
          removeWorker: () => started().removeWorker(),
        },
        resettable: { name: 'http', reset: async () => pool?.reset() },
        status: createStatusSource(() => pool),
        metrics,
      },
      async serve() {
        pool = await needs.poolFactory.newPool({ name: 'http', mode: 'http', config: config.pool, logger });
        server = new HttpServer({
          address: config.address as string,
          bodyLimit: config.max_request_size,
          handle: createRequestHandler({ pool, config, logger, metrics }),
        });
        const address = await server.listen();
        logger.info('http server listening', { address });
      },
      async stop({ signal }) {
        try {
          await server?.close(signal);
        } finally {
          // This plugin created the pool, so it destroys it once no request can reach it any more.
          await pool?.destroy();
        }
      },
    };
  },
});
