import { describeJobsDriver } from '@rr/testkit';
import { createAmqpJobsDriver } from '../src/index.js';
import { BROKER, Names } from './helpers.js';

const names = new Names();

// Each suite pipeline gets its own exchange and queue; destroy deletes the queue and its delay queues
// (delete_queue_on_stop), the teardown removes whatever is left, exchanges included.
describeJobsDriver({
  driver: createAmqpJobsDriver({ addr: BROKER }),
  config: (pipeline) => ({ ...names.track(pipeline), delete_queue_on_stop: true }),
  teardown: () => names.cleanup(),
});
