import { manyRef } from '@rr/kernel';
import type { PipelineState } from './informer.js';

/** One plugin's answer to /health or /ready: an HTTP status code and a message. */
export interface StatusReport {
  code: number;
  message: string;
}

/** A plugin that can say whether it is alive (`health`) and whether it can take work now (`ready`). */
export interface StatusSource {
  name: string;
  health(): StatusReport | Promise<StatusReport>;
  ready(): StatusReport | Promise<StatusReport>;
  /** Jobs pipelines for the status plugin's `/jobs` (the jobs plugin only). */
  pipelines?(): Promise<readonly PipelineState[]>;
}

export const statusSourcesRef = manyRef<StatusSource>('status.sources');
