import type { Logger, PipelineState, StatusReport, StatusSource } from '@rr/contracts';
import { statusErrors } from './errors.js';

/** Which question a check asks a source. */
export type CheckKind = 'health' | 'ready';

/** One entry of the /health and /ready JSON array; RoadRunner's field names. */
export interface CheckResult {
  plugin_name: string;
  error_message: string;
  status_code: number;
}

/** The answer to one /health or /ready request. */
export interface CheckAnswer {
  /** The HTTP status: `unavailable_status_code` when any result is ≥ 500, else 200. */
  status: number;
  results: CheckResult[];
}

/** One entry of the /jobs JSON array; RoadRunner's field names. */
export interface JobsReport {
  pipeline: string;
  driver: string;
  queue: string;
  priority: number;
  active: number;
  delayed: number;
  reserved: number;
  ready: boolean;
  error_message: string;
}

/** Options of {@link StatusChecker}. */
export interface StatusCheckerOptions {
  /** @default 503 */
  unavailableStatusCode?: number;
  /** Deadline of each source call. @default 60000 */
  checkTimeoutMs?: number;
  log?: Logger | undefined;
}

/** Asks status sources for health and readiness, each call bounded by a deadline. */
export class StatusChecker {
  readonly #sources = new Map<string, StatusSource>();
  readonly #unavailable: number;
  readonly #timeoutMs: number;
  readonly #log: Logger | undefined;

  /** @throws RR_ERR_STATUS_DUPLICATE_SOURCE two sources share a name. */
  constructor(sources: readonly StatusSource[], options: StatusCheckerOptions = {}) {
    for (const source of sources) {
      if (this.#sources.has(source.name)) throw statusErrors.DUPLICATE_SOURCE(source.name);
      this.#sources.set(source.name, source);
    }
    this.#unavailable = options.unavailableStatusCode ?? 503;
    this.#timeoutMs = options.checkTimeoutMs ?? 60_000;
    this.#log = options.log;
  }

  /** The HTTP status of an unhealthy or unready answer. */
  get unavailableStatusCode(): number {
    return this.#unavailable;
  }

  /** Names of every source, in registration order. */
  names(): string[] {
    return [...this.#sources.keys()];
  }

  /**
   * One source's report, as `status.Status`/`status.Ready` answer it.
   *
   * @throws RR_ERR_STATUS_NO_SUCH_PLUGIN no source has that name.
   * @throws RR_ERR_STATUS_CHECK_TIMEOUT the source took longer than check_timeout.
   */
  async one(kind: CheckKind, name: string): Promise<StatusReport> {
    const source = this.#sources.get(name);
    if (source === undefined) throw statusErrors.NO_SUCH_PLUGIN(name);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(statusErrors.CHECK_TIMEOUT(name, this.#timeoutMs)), this.#timeoutMs);
    });
    try {
      return await Promise.race([Promise.resolve().then(() => source[kind]()), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * /jobs: every pipeline of every source that has pipelines (the jobs plugin), or `undefined` when no
   * source has any (no jobs plugin). Unavailable when a driver could not report its counters.
   *
   * @throws RR_ERR_STATUS_CHECK_TIMEOUT a source took longer than check_timeout.
   */
  async jobs(): Promise<{ status: number; results: JobsReport[] } | undefined> {
    const sources = [...this.#sources.values()].filter((s) => typeof s.pipelines === 'function');
    if (sources.length === 0) return undefined;
    const states = await Promise.all(
      sources.map(async (source) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(statusErrors.CHECK_TIMEOUT(source.name, this.#timeoutMs)), this.#timeoutMs);
        });
        try {
          return await Promise.race([(source.pipelines as () => Promise<readonly PipelineState[]>)(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const results = states.flat().map((p) => ({
      pipeline: p.pipeline,
      driver: p.driver,
      queue: p.queue,
      priority: p.priority,
      active: p.active,
      delayed: p.delayed,
      reserved: p.reserved,
      ready: p.ready,
      error_message: p.errorMessage,
    }));
    return { status: results.some((r) => r.error_message !== '') ? this.#unavailable : 200, results };
  }

  /**
   * /health or /ready: the named plugins (every source when `names` is empty), in request order.
   * Unknown names are skipped with a log line; a source that fails or times out reports 500 with its
   * error, so the whole answer is unavailable.
   */
  async check(kind: CheckKind, names: readonly string[]): Promise<CheckAnswer> {
    const wanted = names.length === 0 ? this.names() : names;
    const known = wanted.filter((name) => {
      if (this.#sources.has(name)) return true;
      this.#log?.info('plugin has no status checker, skipped', { plugin: name, check: kind });
      return false;
    });
    const results = await Promise.all(
      known.map(async (name): Promise<CheckResult> => {
        try {
          const report = await this.one(kind, name);
          return { plugin_name: name, error_message: report.message, status_code: report.code };
        } catch (err) {
          return { plugin_name: name, error_message: err instanceof Error ? err.message : String(err), status_code: 500 };
        }
      }),
    );
    const failed = results.some((r) => r.status_code >= 500);
    return { status: failed ? this.#unavailable : 200, results };
  }
}
