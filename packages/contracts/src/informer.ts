import { manyRef } from '@rr/kernel';
import type { ProcessState } from '@rr/pool';

/**
 * One jobs pipeline's state, as `informer.Jobs`, the status plugin's `/jobs` and `rr jobs` report it
 * (RoadRunner's JobsState fields). `errorMessage` is set when the driver could not report its counters.
 */
export interface PipelineState {
  pipeline: string;
  driver: string;
  queue: string;
  priority: number;
  active: number;
  delayed: number;
  reserved: number;
  /** The pipeline is consuming (not paused). */
  ready: boolean;
  errorMessage: string;
}

/** A plugin that owns workers (http, jobs, grpc, service), as `rr workers` and `informer.*` see it. */
export interface WorkerSource {
  /** Plugin name: `informer.Workers("<name>")`. */
  name: string;
  workers(): ProcessState[];
  addWorker?(): Promise<void>;
  removeWorker?(): Promise<boolean>;
  /** The plugin's jobs pipelines (the jobs plugin): `informer.Jobs("<name>")`. */
  jobsState?(): Promise<readonly PipelineState[]>;
}

export const workerSourcesRef = manyRef<WorkerSource>('informer.workerSources');
