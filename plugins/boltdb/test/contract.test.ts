import { join } from 'node:path';
import { describeKvDriver, recordingLogger } from '@rr/testkit';
import { boltdbConfigSchema, boltdbKvDriver } from '../src/index.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
let n = 0;

describeKvDriver({
  driver: 'boltdb',
  ttl: 'exact',
  open: async () =>
    boltdbKvDriver.open({ storage: 'test', config: boltdbConfigSchema.parse({ file: join(await dir(), `contract-${n++}.db`) }), logger: recordingLogger() }),
});
