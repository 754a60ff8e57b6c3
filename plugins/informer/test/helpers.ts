export { endpointsProbe } from '@rr/testkit';
import { workerSourcesRef, type PipelineState, type ProcessState, type WorkerSource } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import type { JobsState } from '../src/index.js';

export function state(pid: number): ProcessState {
  return { pid, status: 1, statusStr: 'ready', numExecs: 0, created: 1_714_564_800_000_000_000, memoryUsage: 1024, CPUPercent: 0.5, command: '' };
}

/** A pool-owning plugin's view, as http would provide it: never removes its last worker. */
export function fakeSource(name: string, pids: number[], extra: Partial<WorkerSource> = {}): WorkerSource & { pids: number[] } {
  let next = Math.max(0, ...pids) + 1;
  const source: WorkerSource & { pids: number[] } = {
    name,
    pids: [...pids],
    workers: () => source.pids.map(state),
    addWorker: async () => {
      source.pids.push(next++);
    },
    removeWorker: async () => {
      if (source.pids.length <= 1) return false;
      source.pids.shift();
      return true;
    },
    ...extra,
  };
  return source;
}

/** A pipeline as the jobs plugin reports it … */
export const pipelineState: PipelineState = {
  pipeline: 'emails',
  driver: 'memory',
  queue: 'emails',
  active: 2,
  delayed: 0,
  reserved: 1,
  ready: true,
  priority: 10,
  errorMessage: '',
};

/** … and as informer.Jobs answers it (RoadRunner's Go field names). */
export const pipeline: JobsState = {
  Pipeline: 'emails',
  Driver: 'memory',
  Queue: 'emails',
  Active: 2,
  Delayed: 0,
  Reserved: 1,
  Ready: true,
  Priority: 10,
  ErrorMessage: '',
};

/** A plugin that provides a worker source. */
export function sourcePlugin(id: string, source: WorkerSource, options: { section?: boolean } = {}): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    // With a schema, an absent section disables it: how a disabled http drops out of informer.List.
    ...(options.section ? { config: { schema: { '~standard': { version: 1, vendor: 'test', validate: (v: unknown) => ({ value: v }) } } } } : {}),
    provides: { workers: workerSourcesRef },
    init: () => ({ provides: { workers: source } }),
  });
}

