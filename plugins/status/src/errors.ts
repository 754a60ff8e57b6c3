import { defineErrors } from '@rr/kernel';

/** The status plugin's error catalogue: `RR_ERR_STATUS_*`. */
export const statusErrors = defineErrors('STATUS', {
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes the protobuf codec, got ${codec}`,
    hint: 'send a status.v1.Request with the PROTO codec, as RoadRunner clients do',
  },
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'the argument is a status.v1.Request { string plugin = 1; }',
  },
  // RoadRunner's wording is kept: clients may match on it.
  NO_SUCH_PLUGIN: {
    message: (plugin: string) => `no such plugin: ${plugin}`,
    hint: 'only plugins with a status source (http…) answer status checks',
  },
  CHECK_TIMEOUT: {
    message: (plugin: string, ms: number) => `${plugin} did not answer its status check within ${ms} ms`,
    hint: 'raise status.check_timeout, or find out why the plugin is stuck',
  },
  DUPLICATE_SOURCE: {
    message: (name: string) => `two status sources are named "${name}"`,
    hint: 'each plugin reports its status under its own id',
  },
  LISTEN_FAILED: {
    message: (address: string, reason: string) => `cannot listen on status.address ${address}: ${reason}`,
    hint: 'another program may hold the address: stop it, or change status.address',
  },
});
