import { loggerRef, metricsCollectorsRef, poolFactoryRef, resettablesRef, statusSourcesRef, tracerRef, workerSourcesRef, type WorkerPool } from '@rr/contracts';
import { definePlugin } from '@rr/kernel';
import { grpcConfigSchema } from './config.js';
import { grpcErrors } from './errors.js';
import { GrpcMetrics } from './metrics.js';
import { loadProtos, resolveProtoFiles } from './protos.js';
import { GrpcServer, readTls } from './server.js';
import { createStatusSource } from './status.js';

/**
 * The `grpc` plugin: a gRPC server (grpc-js) whose proto services are forwarded to the PHP workers of
 * its own pool (RR_MODE=grpc, PROTOCOL §7), with server streaming, health and reflection.
 *
 * Tracing: when the otel plugin provides `tracerRef`, each call to a proto service is a SERVER span
 * `<package.Service>/<Method>`, child of the `traceparent` in the incoming metadata, and the metadata
 * PHP receives carries the span's context instead. Without a tracer nothing is traced or copied.
 */
export const grpcPlugin = definePlugin({
  id: 'grpc',
  kernel: '^1.0.0',
  config: { schema: grpcConfigSchema },
  needs: { poolFactory: poolFactoryRef, logger: loggerRef },
  optional: { tracer: tracerRef },
  provides: { workers: workerSourcesRef, resettable: resettablesRef, status: statusSourcesRef, metrics: metricsCollectorsRef },
  init({ config, needs, optional }) {
    const logger = needs.logger.named('grpc');
    // Protos and TLS files are read now, so a wrong path fails the start before any worker is spawned.
    const protos = loadProtos(resolveProtoFiles(config.proto));
    const tls = config.tls === undefined ? undefined : readTls(config.tls);
    for (const name of config.interceptors) {
      // RoadRunner users list `otel` here to trace calls; rr traces whenever the otel plugin runs.
      if (name === 'otel' && optional.tracer !== undefined) continue;
      if (name === 'otel') logger.warn("grpc interceptor 'otel' has no effect without the otel section: calls are not traced");
      else logger.warn(`grpc interceptor '${name}' is not available in rr and is skipped`);
    }
    if (protos.services.size === 0) logger.warn('grpc.proto declares no service: only health and reflection are served');
    // The pool is created in serve (as http does), so rpc is listening when the workers boot.
    let pool: WorkerPool | undefined;
    let server: GrpcServer | undefined;
    const metrics = new GrpcMetrics();
    const started = (): WorkerPool => {
      if (pool === undefined) throw grpcErrors.NOT_STARTED();
      return pool;
    };
    return {
      provides: {
        workers: {
          name: 'grpc',
          workers: () => pool?.workers() ?? [],
          addWorker: () => started().addWorker(),
          removeWorker: () => started().removeWorker(),
        },
        resettable: { name: 'grpc', reset: async () => pool?.reset() },
        status: createStatusSource(() => pool),
        metrics,
      },
      async serve() {
        pool = await needs.poolFactory.newPool({ name: 'grpc', mode: 'grpc', config: config.pool, env: config.env, logger });
        server = new GrpcServer({ config, protos, tls, pool, logger, metrics, tracer: optional.tracer });
        const address = await server.listen();
        logger.info('grpc server listening', { address, tls: tls !== undefined, services: [...protos.services.keys()] });
      },
      async stop({ signal }) {
        try {
          await server?.close(signal);
        } finally {
          await pool?.destroy();
        }
      },
    };
  },
});
export default grpcPlugin;
