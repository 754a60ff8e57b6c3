export { loggerRef, type Logger, type LogFields } from './logger.js';
export {
  poolFactoryRef,
  type PoolFactory,
  type NewPoolOptions,
  type ExecOptions,
  type ExecResult,
  type Payload,
  type PoolConfig,
  type PoolStats,
  type ProcessState,
  type WorkerPool,
  type WorkerStatusName,
} from './pool.js';
export { poolConfigSchema, type PoolConfigInput } from './pool-config.js';
export { rpcEndpointsRef, type RpcEndpoint, type RpcHandler, type RpcCall } from './rpc.js';
export { workerSourcesRef, type WorkerSource, type PipelineState } from './informer.js';
export { resettablesRef, type Resettable } from './resetter.js';
export { statusSourcesRef, type StatusSource, type StatusReport } from './status.js';
export { metricsCollectorsRef, type MetricsCollector, type MetricFamily, type MetricSample, type HistogramSample } from './metrics.js';
export { kvDriversRef, type KvDriver, type KvStorage, type KvItem, type KvExpiry, type KvOpenContext } from './kv.js';
export {
  jobsDriversRef,
  type JobsDriver,
  type JobsPipeline,
  type JobsOpenContext,
  type JobsDriverStat,
  type JobMessage,
  type JobHeaders,
  type DeliveredJob,
  type JobDeliver,
  type JobNackOptions,
  type JobRequeueOptions,
} from './jobs.js';
export { absorbHeadHeaders, httpMiddlewaresRef, httpRequestState, HTTP_REQUEST_STATE, type HttpMiddleware, type HttpNext, type HttpRequestState } from './http.js';
export { tracerRef, type Tracer, type TraceSpan, type TraceSpanOptions, type TraceSpanKind, type TraceAttributes, type TraceCarrier } from './tracing.js';
