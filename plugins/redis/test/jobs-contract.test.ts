import { describeJobsDriver } from '@rr/testkit';
import { createRedisJobsDriver, redisConfigSchema } from '../src/index.js';

// The shared Redis at 127.0.0.1:6379; every suite pipeline gets a fresh stream, and the suite destroys
// each handle after its test, which deletes the stream and its delayed set (delete_stream_on_stop).
describeJobsDriver({
  driver: createRedisJobsDriver(redisConfigSchema.parse({ addrs: ['127.0.0.1:6379'] })),
  config: (pipeline) => ({ stream: `rr-test:jobs:${pipeline}`, delete_stream_on_stop: true }),
});
