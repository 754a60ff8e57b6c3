import { describeJobsDriver } from '@rr/testkit';
import { createNatsJobsDriver, natsConfigSchema } from '../src/index.js';
import { deleteStreams, NATS_ADDR } from './helpers.js';

// Every pipeline of the suite gets its own stream (named after it) and subject; destroy deletes both
// streams, and the teardown removes whatever a failing test left.
const streams = new Set<string>();

describeJobsDriver({
  driver: createNatsJobsDriver(natsConfigSchema.parse({ addr: NATS_ADDR })),
  config: (pipeline) => {
    streams.add(pipeline);
    return { stream: pipeline, subject: `${pipeline}.jobs`, delete_stream_on_stop: 'true' };
  },
  reopen: true,
  teardown: () => deleteStreams(streams),
});
