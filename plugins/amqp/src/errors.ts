import { defineErrors } from '@rr/errors';

/** The amqp plugin's error catalogue: `RR_ERR_AMQP_*`. */
export const amqpErrors = defineErrors('AMQP', {
  UNAVAILABLE: {
    message: (addr: string, pipeline: string, reason: string) => `amqp broker ${addr} is unavailable for pipeline "${pipeline}": ${reason}`,
    hint: 'rr reconnects in the background (up to the pipeline\'s redial_timeout) and resumes consuming; retry the push later',
  },
  DECLARE_FAILED: {
    message: (pipeline: string, what: string, reason: string) => `pipeline "${pipeline}": declaring ${what} failed: ${reason}`,
    hint: 'an exchange or queue of that name exists with other options (type, durable, auto_delete, exclusive, queue_headers): align the pipeline options or delete it',
  },
  PUBLISH_FAILED: {
    message: (pipeline: string, reason: string) => `pipeline "${pipeline}": publishing failed: ${reason}`,
    hint: 'the broker refused the message (nack, or headers over the 64 KiB table limit); check the broker log',
  },
  UNROUTABLE: {
    message: (pipeline: string, exchange: string, routingKey: string) =>
      `pipeline "${pipeline}": no queue is bound to exchange "${exchange}" with routing key "${routingKey}"; the job was not stored`,
    hint: 'declare and bind the consuming queue first (open or resume a pipeline with that queue), or fix exchange/routing_key',
  },
  NO_QUEUE: {
    message: (pipeline: string) => `pipeline "${pipeline}" has no queue to consume`,
    hint: 'set the pipeline option queue; without it the pipeline only pushes',
  },
  TLS_FILE: {
    message: (file: string, reason: string) => `cannot read the amqp TLS file ${file}: ${reason}`,
    hint: 'check amqp.tls.key, amqp.tls.cert and amqp.tls.root_ca',
  },
  PIPELINE_STOPPED: {
    message: (pipeline: string) => `amqp pipeline "${pipeline}" is stopped`,
    hint: 'the jobs plugin stopped or destroyed this pipeline (rr is stopping, or jobs.Destroy ran); push to a live pipeline',
  },
});
