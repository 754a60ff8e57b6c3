import { defineErrors } from '@rr/errors';

/** The nats driver's error catalogue: `RR_ERR_NATS_*`. */
export const natsErrors = defineErrors('NATS', {
  UNAVAILABLE: {
    message: (addr: string, pipeline: string, cause: string) => `nats at ${addr} is unavailable (pipeline ${JSON.stringify(pipeline)}): ${cause}`,
    hint:
      'the client keeps reconnecting in the background and the pipeline consumes again once NATS answers, without a restart; ' +
      'pushes fail at once meanwhile. Check that nats-server runs with JetStream (-js) and that nats.addr points to it',
  },
  STREAM_FAILED: {
    message: (stream: string, cause: string) => `jetstream refused stream ${JSON.stringify(stream)}: ${cause}`,
    hint: 'the server needs JetStream enabled (nats-server -js); subjects of two streams may not overlap; an account may have a stream limit',
  },
  CONSUMER_FAILED: {
    message: (consumer: string, stream: string, cause: string) => `jetstream refused consumer ${JSON.stringify(consumer)} on stream ${JSON.stringify(stream)}: ${cause}`,
    hint:
      'the durable consumer is named from the pipeline; when it exists with settings JetStream cannot update (deliver_new, another subject), ' +
      'delete it (nats consumer rm <stream> <consumer>) or rename the pipeline',
  },
  PUBLISH_FAILED: {
    message: (subject: string, cause: string) => `jetstream did not store the job published to ${JSON.stringify(subject)}: ${cause}`,
    hint: 'no responders: no stream captures the subject any more (was it deleted?); otherwise the stream is full (max_msgs, max_bytes with discard new)',
  },
  BAD_MESSAGE: {
    message: (pipeline: string, seq: number, cause: string) => `pipeline ${JSON.stringify(pipeline)}: stream message ${seq} is not a job: ${cause}`,
    hint: 'something other than rr or RoadRunner published to the subject; the message is terminated (never redelivered) and left in the stream',
  },
  PIPELINE_STOPPED: {
    message: (pipeline: string) => `nats pipeline ${JSON.stringify(pipeline)} is stopped`,
    hint: 'rr is stopping, or the pipeline was destroyed (jobs.Destroy)',
  },
});
