import type { PipelineState, ProcessState, WorkerSource } from '@rr/contracts';
import { informerErrors } from './errors.js';

/** One jobs pipeline as `informer.Jobs` reports it; Go's field names, as RoadRunner's JSON carries them. */
export interface JobsState {
  Pipeline: string;
  Driver: string;
  Queue: string;
  Active: number;
  Delayed: number;
  Reserved: number;
  Ready: boolean;
  Priority: number;
  ErrorMessage: string;
}

/** RoadRunner's JSON shape of one pipeline (Go field names). */
export function toJobsState(p: PipelineState): JobsState {
  return {
    Pipeline: p.pipeline,
    Driver: p.driver,
    Queue: p.queue,
    Active: p.active,
    Delayed: p.delayed,
    Reserved: p.reserved,
    Ready: p.ready,
    Priority: p.priority,
    ErrorMessage: p.errorMessage,
  };
}

/** RoadRunner's informer.Jobs deadline. */
export const JOBS_TIMEOUT_MS = 60_000;

/** The informer itself: worker and jobs state of every plugin that owns workers, by plugin name. */
export class Informer {
  readonly #sources = new Map<string, WorkerSource>();
  readonly #jobsTimeoutMs: number;

  /** @throws RR_ERR_INFORMER_DUPLICATE_SOURCE two sources share a name. */
  constructor(sources: readonly WorkerSource[], options: { jobsTimeoutMs?: number } = {}) {
    for (const source of sources) {
      if (this.#sources.has(source.name)) throw informerErrors.DUPLICATE_SOURCE(source.name);
      this.#sources.set(source.name, source);
    }
    this.#jobsTimeoutMs = options.jobsTimeoutMs ?? JOBS_TIMEOUT_MS;
  }

  /** Names of every plugin with workers, in registration order. */
  list(): string[] {
    return [...this.#sources.keys()];
  }

  /** The plugin's workers, or `null` for an unknown plugin (RoadRunner answers `{"workers":null}`). */
  workers(plugin: string): ProcessState[] | null {
    return this.#sources.get(plugin)?.workers() ?? null;
  }

  /** @throws RR_ERR_INFORMER_NO_WORKER_MANAGEMENT unknown plugin, or one that cannot add workers. */
  async addWorker(plugin: string): Promise<void> {
    const source = this.#sources.get(plugin);
    if (source?.addWorker === undefined) throw informerErrors.NO_WORKER_MANAGEMENT(plugin);
    await source.addWorker();
  }

  /**
   * Soft-stops one worker; the source never removes its last one and answers false then.
   *
   * @throws RR_ERR_INFORMER_NO_WORKER_MANAGEMENT unknown plugin, or one that cannot remove workers.
   */
  async removeWorker(plugin: string): Promise<boolean> {
    const source = this.#sources.get(plugin);
    if (source?.removeWorker === undefined) throw informerErrors.NO_WORKER_MANAGEMENT(plugin);
    return source.removeWorker();
  }

  /**
   * The plugin's jobs pipelines; `[]` for a plugin without jobs or an unknown one.
   *
   * @throws RR_ERR_INFORMER_JOBS_TIMEOUT the source took longer than 60 s (rejection).
   */
  async jobs(plugin: string): Promise<readonly JobsState[]> {
    const source = this.#sources.get(plugin);
    if (typeof source?.jobsState !== 'function') return [];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(informerErrors.JOBS_TIMEOUT(plugin, this.#jobsTimeoutMs)), this.#jobsTimeoutMs);
    });
    try {
      return (await Promise.race([source.jobsState(), timeout])).map(toJobsState);
    } finally {
      clearTimeout(timer);
    }
  }
}
