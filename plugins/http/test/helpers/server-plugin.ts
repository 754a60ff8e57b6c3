import type { WorkerPool } from '@rr/contracts';
import type { Plugin } from '@rr/kernel';
import { testServerPlugin as serverPlugin } from '@rr/testkit';

/** Where the php-sdk lives (its autoload.php is required by the fixtures). */
export const PHP_SDK = new URL('../../../../php-sdk/', import.meta.url).pathname;
export const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;

/** The worker command for a fixture script. */
export const php = (script: string): string[] => ['php', '-d', 'display_errors=stderr', `${FIXTURES}${script}`];

/** Every pool created through {@link testServerPlugin}, for assertions. */
export const createdPools: WorkerPool[] = [];

/** testkit's stand-in server plugin running `command`, with RR_SDK set and pools recorded. */
export const testServerPlugin = (command: readonly string[]): Plugin => serverPlugin(command, { env: { RR_SDK: PHP_SDK }, pools: createdPools });
