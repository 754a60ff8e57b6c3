import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeJobsDriver } from '@rr/testkit';
import { boltdbJobsDriver } from '../src/index.js';

// The suite asks for each pipeline's options synchronously, so the folder exists before it runs.
const dir = mkdtempSync(join(tmpdir(), 'rr-boltdb-jobs-'));

describeJobsDriver({
  driver: boltdbJobsDriver,
  // One file per pipeline name: a pipeline opened again under the same name reopens the same file.
  config: (pipeline) => ({ file: join(dir, `${pipeline}.db`), permissions: '0600' }),
  reopen: true,
  destroyRemoves: true,
  teardown: () => rm(dir, { recursive: true, force: true }),
});
