export { recordingLogger, type RecordingLogger, type LogLine } from './recording-logger.js';
export { startTestKernel, fakeLogsPlugin, type TestKernel } from './start-test-kernel.js';
export { endpointsProbe } from './endpoints-probe.js';
export { describeKvDriver, type KvDriverSuiteOptions } from './kv-driver-suite.js';
export { startRedisServer, type RedisServer } from './redis-server.js';
export { describeJobsDriver, type JobsDriverSuiteOptions } from './jobs-driver-suite.js';
export { testServerPlugin } from './server-plugin.js';
export { serveMiddleware, requestRaw, type InnerHandler, type MiddlewareServer, type RawResponse } from './middleware-server.js';
export {
  recordingTracer,
  testTracerPlugin,
  parseTraceparent,
  formatTraceparent,
  type RecordingTracer,
  type RecordedSpan,
  type TraceParent,
} from './recording-tracer.js';
export {
  decodeTraceRequest,
  decodeTraceRequestJson,
  decodeTraceHttpBody,
  encodeTraceResponse,
  TRACE_SERVICE_EXPORT_PATH,
  type OtlpSpan,
  type OtlpValue,
  type OtlpAttributes,
  type OtlpSpanKind,
  type OtlpStatusCode,
} from './otlp-decoder.js';
export { startOtlpHttpCollector, otlpRecorder, type Collector, type CollectedExport } from './otlp-collector.js';
/** A FastCGI 1.0 client for tests of rr's `http.fcgi` listener (plugin tests and e2e). */
export * as fcgi from './fcgi-client.js';
