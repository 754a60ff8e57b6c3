import {
  httpMiddlewaresRef,
  loggerRef,
  metricsCollectorsRef,
  poolFactoryRef,
  resettablesRef,
  statusSourcesRef,
  tracerRef,
  workerSourcesRef,
  type WorkerPool,
} from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { buildChain, resolveMiddlewares } from './chain.js';
import { httpConfigSchema, unsupportedWarnings } from './config.js';
import { httpErrors } from './errors.js';
import { createRequestHandler } from './handler.js';
import { FcgiServer } from './fcgi.js';
import { HttpMetrics } from './metrics.js';
import { createRedirect } from './redirect.js';
import { HttpServer } from './server.js';
import { createStatusSource } from './status.js';
import { loadTls } from './tls.js';

/**
 * The `http` plugin: fastify listeners (plain HTTP/1.1 with optional h2c, and TLS with HTTP/2) and a
 * FastCGI listener, forwarding every request through the configured middlewares to the PHP workers of
 * its own pool (RoadRunner's http plugin, wire-compatible with spiral/roadrunner-http 3.x).
 *
 * Tracing: when the otel plugin provides `tracerRef`, every worker execution is a `worker.exec` span
 * (kind internal), child of the request's `traceparent` (the otel middleware's SERVER span, or the
 * client's), and PHP receives a `Traceparent` header naming that span. Without a tracer nothing is
 * created or copied.
 */
export const httpPlugin = definePlugin({
  id: 'http',
  kernel: '^1.0.0',
  config: { schema: httpConfigSchema },
  needs: { poolFactory: poolFactoryRef, logger: loggerRef },
  optional: { tracer: tracerRef },
  collects: { middlewares: httpMiddlewaresRef },
  provides: { workers: workerSourcesRef, resettable: resettablesRef, status: statusSourcesRef, metrics: metricsCollectorsRef },
  async init({ config, needs, optional, collected, disable }) {
    if (config.address === undefined && config.ssl === undefined && config.fcgi === undefined) return disable('no http.address');
    const logger = needs.logger.named('http');
    const available = new Set(collected.middlewares.map((m) => m.name));
    for (const warning of unsupportedWarnings(config, available)) logger.warn(warning);
    const middlewares = resolveMiddlewares(config.middleware, collected.middlewares, logger);
    // Files are read now, so a missing or broken certificate fails init rather than serve.
    const tls = config.ssl === undefined ? undefined : loadTls(config.ssl);
    // Only ssl with acme and no cert/key: nothing this rr can listen with.
    if (config.address === undefined && tls === undefined && config.fcgi === undefined) throw httpErrors.NO_LISTENER('http.ssl.acme is');
    const h2 = { h2c: config.http2?.h2c ?? false, maxConcurrentStreams: config.http2?.max_concurrent_streams ?? 128 };
    // The pool is created in serve, not here: serve follows needs edges, so rpc (which needs less) is
    // already listening when workers boot, and a worker that calls RPC at start-up reaches it
    // (RoadRunner orders this with plugin weights).
    let pool: WorkerPool | undefined;
    let server: HttpServer | undefined;
    let tlsServer: HttpServer | undefined;
    let fcgiServer: FcgiServer | undefined;
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
        const workers = await needs.poolFactory.newPool({ name: 'http', mode: 'http', config: config.pool, logger });
        pool = workers;
        const stateful = middlewares.length > 0;
        const handler = (secure: boolean) =>
          buildChain(middlewares, createRequestHandler({ pool: workers, config, logger, metrics, tls: secure, stateful, tracer: optional.tracer }), logger);
        let tlsPort = 443;
        if (tls !== undefined) {
          tlsServer = new HttpServer({
            address: config.ssl?.address as string,
            bodyLimit: config.max_request_size,
            handle: handler(true),
            tls,
            maxConcurrentStreams: h2.maxConcurrentStreams,
            logger,
          });
          const address = await tlsServer.listen();
          tlsPort = Number(address.slice(address.lastIndexOf(':') + 1));
          logger.info('https server listening', { address });
        }
        if (config.address !== undefined) {
          server = new HttpServer({
            address: config.address,
            bodyLimit: config.max_request_size,
            handle: tls !== undefined && config.ssl?.redirect === true ? createRedirect(tlsPort) : handler(false),
            h2c: h2.h2c,
            maxConcurrentStreams: h2.maxConcurrentStreams,
            logger,
          });
          const address = await server.listen();
          logger.info('http server listening', { address });
        }
        if (config.fcgi !== undefined) {
          // The scheme PHP sees comes per request from the web server (HTTPS=on), so both handlers exist.
          fcgiServer = new FcgiServer({
            address: config.fcgi.address,
            bodyLimit: config.max_request_size,
            handle: handler(false),
            handleTls: handler(true),
            logger,
          });
          const address = await fcgiServer.listen();
          logger.info('fcgi listening', { address });
        }
      },
      async stop({ signal }) {
        try {
          await Promise.all([server?.close(signal), tlsServer?.close(signal), fcgiServer?.close(signal)]);
        } finally {
          // This plugin created the pool, so it destroys it once no request can reach it any more.
          await pool?.destroy();
        }
      },
    };
  },
});
