import { manyRef } from '@rr/kernel';
import type { ProcessState } from '@rr/pool';

/** A plugin that owns workers (http, jobs, grpc, service), as `rr workers` and `informer.*` see it. */
export interface WorkerSource {
  /** Plugin name: `informer.Workers("<name>")`. */
  name: string;
  workers(): ProcessState[];
  addWorker?(): Promise<void>;
  removeWorker?(): Promise<boolean>;
}

export const workerSourcesRef = manyRef<WorkerSource>('informer.workerSources');
