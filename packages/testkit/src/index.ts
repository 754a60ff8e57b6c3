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
