import type { WorkerPool } from '@rr/contracts';
import type { Plugin } from '@rr/kernel';
import { testServerPlugin as serverPlugin } from '@rr/testkit';

/** Where the php-sdk lives: its examples/grpc-worker.php is the worker under test. */
export const PHP_SDK = new URL('../../../../php-sdk/', import.meta.url).pathname;
/** The proto of the example worker's test.Echo service. */
export const ECHO_PROTO = `${PHP_SDK}examples/grpc/echo.proto`;
/** The worker command: the php-sdk's example gRPC worker. */
export const GRPC_WORKER = ['php', '-d', 'display_errors=stderr', `${PHP_SDK}examples/grpc-worker.php`];

/** The tracing tests' worker: test.Echo whose Say answers with the metadata it received. */
export const TRACE_WORKER = ['php', '-d', 'display_errors=stderr', new URL('../fixtures/trace-worker.php', import.meta.url).pathname];

/** Every pool created through {@link testServerPlugin}, for assertions. */
export const createdPools: WorkerPool[] = [];

/** testkit's stand-in server plugin running `command` (the example gRPC worker by default); pools recorded. */
export const testServerPlugin = (command: readonly string[] = GRPC_WORKER): Plugin => serverPlugin(command, { pools: createdPools });
