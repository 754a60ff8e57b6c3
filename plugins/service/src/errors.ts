import { defineErrors } from '@rr/errors';

/**
 * The service plugin's error catalogue: `RR_ERR_SERVICE_*`. RoadRunner's texts ("the service with <name>
 * name doesn't exist", "… already exists", "… should have at least 1 process") stay inside the messages,
 * so clients that match on them keep working.
 */
export const serviceErrors = defineErrors('SERVICE', {
  NOT_FOUND: {
    message: (name: string) => `the service with ${name} name doesn't exist`,
    hint: 'service.List names the running services; names come from the service section or service.Create',
  },
  ALREADY_EXISTS: {
    message: (name: string) => `the service with ${name} name already exists`,
    hint: 'pick another name, or service.Terminate the existing service first',
  },
  NO_PROCESSES: {
    message: (name: string) => `the service with ${name} name should have at least 1 process`,
    hint: 'set process_num to 1 or more in service.Create',
  },
  BAD_REQUEST: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'send the service.v1 message the method takes (Create, or Service{name}), protobuf-encoded',
  },
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes the protobuf codec, got ${codec}`,
    hint: 'call service methods with the protobuf codec, as the PHP services Manager does',
  },
  START_FAILED: {
    message: (name: string, command: string, reason: string) => `cannot start service ${name} (${command}): ${reason}`,
    hint: 'check that the program exists and is executable; the command is split on single spaces, without a shell',
  },
  UNKNOWN_USER: {
    message: (name: string, user: string) => `service ${name}: no such user ${JSON.stringify(user)} in /etc/passwd`,
    hint: 'use an existing user name or a numeric uid in service.<name>.user',
  },
  STOPPED: {
    message: (method: string) => `${method}: the service plugin is stopping`,
    hint: 'rr is shutting down; retry after it has started again',
  },
});
