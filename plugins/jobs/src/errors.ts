import { defineErrors } from '@rr/errors';

/**
 * The jobs plugin's error catalogue. RPC errors keep RoadRunner's texts (PHP and scripts match them):
 * "empty ID field not allowed", "no such pipeline, requested: <name>", "pipeline already exists, name: …".
 */
export const jobsErrors = defineErrors('JOBS', {
  CONFIG_INVALID: {
    message: (summary: string) => `invalid jobs pipelines:\n${summary}`,
    hint: 'each jobs.pipelines.<name> needs a driver whose plugin is in the build, and options that driver accepts',
  },
  MISSING_DRIVER: {
    message: (pipeline: string, available: string) => `no associated driver with the pipeline, pipeline name: ${pipeline} (available drivers: ${available})`,
    hint: 'set driver: to one of the available drivers',
  },
  UNKNOWN_DRIVER: {
    message: (driver: string, available: string) => `unknown jobs driver "${driver}" (available: ${available})`,
    hint: 'add the driver\'s plugin to the build or pick an available driver',
  },
  DUPLICATE_DRIVER: {
    message: (driver: string, count: number) => `${count} plugins provide the jobs driver "${driver}"; this is a bill-of-materials bug`,
  },
  UNKNOWN_DEAD_LETTER: {
    message: (pipeline: string, deadLetter: string) => `pipeline ${pipeline} names dead_letter "${deadLetter}", which is not a pipeline`,
    hint: 'declare the dead-letter pipeline too (it need not be consumed)',
  },
  DEAD_LETTER_SELF: {
    message: (pipeline: string) => `pipeline ${pipeline} names itself as its dead_letter`,
    hint: 'pick another pipeline, or remove dead_letter to drop jobs that used up max_attempts',
  },
  EMPTY_ID: {
    message: () => 'empty ID field not allowed',
    hint: 'give every job a unique id (the PHP client uses a UUIDv4)',
  },
  NO_SUCH_PIPELINE: {
    message: (pipeline: string) => `no such pipeline, requested: ${pipeline}`,
    hint: 'list pipelines with jobs.List (rr jobs list) or declare it with jobs.Declare',
  },
  PIPELINE_EXISTS: {
    message: (pipeline: string, driver: string) => `pipeline already exists, name: ${pipeline}, driver: ${driver}`,
    hint: 'destroy it first (jobs.Destroy) or pick another name',
  },
  EMPTY_NAME: {
    message: () => 'pipeline name is empty: jobs.Declare needs a "name" key',
  },
  BAD_OPTIONS: {
    message: (pipeline: string, summary: string) => `invalid options for pipeline ${pipeline}: ${summary}`,
  },
  OPEN_FAILED: {
    message: (pipeline: string, driver: string, reason: string) => `pipeline ${pipeline} (driver ${driver}) could not be opened: ${reason}`,
  },
  PUSH_FAILED: {
    message: (pipeline: string, driver: string, reason: string) => `push to pipeline ${pipeline} (driver ${driver}) failed: ${reason}`,
  },
  TIMEOUT: {
    message: (operation: string, pipeline: string, ms: number) => `${operation} on pipeline ${pipeline} did not finish within jobs.timeout (${ms} ms)`,
    hint: 'the broker may be unreachable; raise jobs.timeout if it is just slow',
  },
  STOPPING: {
    message: () => 'the jobs plugin is stopping',
    hint: 'retry against the next rr instance',
  },
  STOP_FAILED: {
    message: (reasons: string) => `stopping jobs pipelines failed: ${reasons}`,
  },
  BAD_REQUEST: {
    message: (method: string, reason: string) => `${method}: cannot decode the request: ${reason}`,
    hint: 'jobs.* methods take protobuf jobs.v1 messages (the PHP client sends them with the protobuf codec)',
  },
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes protobuf, received ${codec}`,
    hint: 'call jobs.* with the protobuf codec, as spiral/roadrunner-jobs does',
  },
});
