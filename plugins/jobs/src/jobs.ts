import type { DeliveredJob, JobHeaders, JobMessage, JobsPipeline, Logger, PipelineState, TraceSpan, Tracer, WorkerPool } from '@rr/contracts';
import { isRrError } from '@rr/kernel';
import type { JobsConfig } from './config.js';
import { jobsErrors } from './errors.js';
import type { JobsMetrics } from './metrics.js';
import { PriorityQueue } from './priority-queue.js';
import { CODEC_RAW, deliveryContext, parseResponse } from './protocol.js';
import { resolvePipeline, summarize, type DriverRegistry, type ResolvedPipeline } from './resolve.js';
import { traceCarrierOf, withTraceContext } from './tracing.js';

/** Failed attempts so far, kept on the job itself so no driver needs a counter. */
export const ATTEMPTS_HEADER = 'x-rr-attempts';
/** Headers a dead-lettered copy carries: where it failed, how often, and the last error. */
export const DEAD_LETTER_HEADERS = {
  pipeline: 'x-rr-dead-letter-pipeline',
  attempts: 'x-rr-dead-letter-attempts',
  error: 'x-rr-dead-letter-error',
} as const;
/** The longest retry backoff. */
export const MAX_BACKOFF_MS = 5 * 60_000;

// Pool errors for a job that never reached a worker: no attempt was made, so none is counted.
const NOT_ATTEMPTED = new Set(['RR_ERR_POOL_NO_FREE_WORKERS', 'RR_ERR_POOL_QUEUE_FULL', 'RR_ERR_POOL_STOPPED']);

/** A job as the wire (jobs.Push) hands it to the core. */
export interface PushedJob {
  id: string;
  job: string;
  payload: Uint8Array;
  headers: JobHeaders;
  /** 0 = the pipeline's. */
  priority: number;
  pipeline: string;
  /** Seconds. */
  delay: number;
  autoAck: boolean;
}

/** One row of jobs.Stat. */
export interface PipelineStat {
  pipeline: string;
  driver: string;
  queue: string;
  active: number;
  delayed: number;
  reserved: number;
  ready: boolean;
  priority: number;
}

interface Pipeline {
  readonly resolved: ResolvedPipeline;
  readonly handle: JobsPipeline;
  consuming: boolean;
}

interface Queued {
  readonly pipeline: Pipeline;
  readonly job: DeliveredJob;
  /** The consume span's bookkeeping, when tracing. */
  trace?: ConsumeTrace;
}

/** What a consume span ends with: the outcome, and the failure when the attempt failed. */
interface ConsumeTrace {
  readonly span: TraceSpan;
  outcome?: string;
  failure?: string;
}

/** Notes a delivery's outcome on its consume span, when tracing (cheap otherwise). */
function mark(item: Queued, outcome: string, failure?: string): void {
  const trace = item.trace;
  if (trace === undefined) return;
  trace.outcome = outcome;
  if (failure !== undefined) trace.failure = failure;
}

const describe = (err: unknown): string => (isRrError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err));

/**
 * The jobs core: the pipelines and their drivers, the priority queue between the drivers and the pool,
 * dispatch to PHP workers, the worker protocol (PROTOCOL §6), attempts with dead-lettering, and the
 * graceful stop.
 */
export class JobsCore {
  readonly #pipelines = new Map<string, Pipeline>();
  readonly #queue: PriorityQueue<Queued>;
  readonly #running = new Set<Queued>();
  readonly #idle: (() => void)[] = [];
  readonly #consume: ReadonlySet<string>;
  #pool: WorkerPool | undefined;
  #concurrency = 1;
  #stopping = false;

  constructor(
    private readonly config: JobsConfig,
    private readonly drivers: DriverRegistry,
    private readonly log: Logger,
    private readonly metrics: JobsMetrics,
    /** Traces pushes and deliveries when given (the otel plugin's tracer). */
    private readonly tracer?: Tracer,
  ) {
    this.#queue = new PriorityQueue(config.pipeline_size);
    this.#consume = new Set(config.consume);
  }

  /** Opens the configured pipelines, `options.parallelism` at a time; all stay paused until {@link start}. */
  async open(resolved: readonly ResolvedPipeline[]): Promise<void> {
    await this.#each(resolved, async (r) => {
      await this.#open(r);
    });
  }

  /** Starts dispatching to `pool` and consuming the `consume` pipelines. */
  async start(pool: WorkerPool): Promise<void> {
    this.#pool = pool;
    const pc = this.config.pool;
    // One job per worker that can exist; more would only wait in the pool, out of priority order.
    this.#concurrency = Math.max(1, pc.num_workers + (pc.dynamic_allocator?.max_workers ?? 0));
    await this.#each(
      [...this.#pipelines.values()].filter((p) => this.#consume.has(p.resolved.name)),
      (p) => this.#resume(p),
    );
    this.#dispatch();
  }

  get pool(): WorkerPool | undefined {
    return this.#pool;
  }

  list(): string[] {
    return [...this.#pipelines.keys()];
  }

  /**
   * Pushes jobs, grouped by pipeline in order of first appearance; every pipeline is checked before
   * anything is pushed.
   *
   * @throws RR_ERR_JOBS_EMPTY_ID, RR_ERR_JOBS_NO_SUCH_PIPELINE, RR_ERR_JOBS_PUSH_FAILED, RR_ERR_JOBS_TIMEOUT, RR_ERR_JOBS_STOPPING
   */
  async push(jobs: readonly PushedJob[]): Promise<void> {
    if (this.#stopping) throw jobsErrors.STOPPING();
    const groups = new Map<Pipeline, JobMessage[]>();
    for (const job of jobs) {
      if (job.id === '') throw jobsErrors.EMPTY_ID();
      const pipeline = this.#get(job.pipeline);
      const message: JobMessage = {
        id: job.id,
        job: job.job,
        payload: job.payload,
        headers: job.headers,
        priority: job.priority === 0 ? pipeline.resolved.options.priority : job.priority,
        delayMs: Math.max(0, job.delay) * 1000,
        autoAck: job.autoAck,
      };
      groups.set(pipeline, [...(groups.get(pipeline) ?? []), message]);
    }
    for (const [pipeline, messages] of groups) {
      const { name, driver } = pipeline.resolved;
      const started = performance.now();
      this.metrics.request(name, driver.name, 'push', messages.length);
      const spans = this.tracer === undefined ? undefined : this.#publishSpans(this.tracer, name, driver.name, messages);
      try {
        await this.#timed('push', name, pipeline.handle.push(messages));
        if (spans !== undefined) for (const span of spans) span.end();
      } catch (err) {
        if (spans !== undefined) {
          for (const span of spans) {
            span.fail(describe(err), err);
            span.end();
          }
        }
        this.metrics.pushErr += messages.length;
        this.log.error('job push failed', { pipeline: name, driver: driver.name, ids: messages.map((m) => m.id), error: describe(err) });
        throw isRrError(err, jobsErrors.TIMEOUT.code) ? err : jobsErrors.PUSH_FAILED(name, driver.name, describe(err), { cause: err });
      }
      this.metrics.pushOk += messages.length;
      this.metrics.pushLatency(name, driver.name, (performance.now() - started) / 1000);
    }
  }

  /** @throws RR_ERR_JOBS_NO_SUCH_PIPELINE, RR_ERR_JOBS_TIMEOUT */
  async pause(name: string): Promise<void> {
    const pipeline = this.#get(name);
    pipeline.consuming = false;
    await this.#timed('pause', name, pipeline.handle.pause());
  }

  /** @throws RR_ERR_JOBS_NO_SUCH_PIPELINE, RR_ERR_JOBS_TIMEOUT, RR_ERR_JOBS_STOPPING */
  async resume(name: string): Promise<void> {
    if (this.#stopping) throw jobsErrors.STOPPING();
    await this.#resume(this.#get(name));
  }

  /**
   * jobs.Declare: a pipeline from a string map (`name`, `driver`, common and driver options). It consumes
   * at once when `jobs.consume` names it, else it waits for jobs.Resume (RoadRunner's rule).
   *
   * @throws RR_ERR_JOBS_EMPTY_NAME, RR_ERR_JOBS_MISSING_DRIVER, RR_ERR_JOBS_PIPELINE_EXISTS, RR_ERR_JOBS_BAD_OPTIONS,
   * RR_ERR_JOBS_UNKNOWN_DEAD_LETTER, RR_ERR_JOBS_OPEN_FAILED
   */
  async declare(map: Readonly<Record<string, string>>): Promise<void> {
    if (this.#stopping) throw jobsErrors.STOPPING();
    const { name = '', driver, ...options } = map;
    if (driver === undefined || driver === '') throw jobsErrors.MISSING_DRIVER(name, this.drivers.available);
    if (name === '') throw jobsErrors.EMPTY_NAME();
    const existing = this.#pipelines.get(name);
    if (existing !== undefined) throw jobsErrors.PIPELINE_EXISTS(name, existing.resolved.driver.name);
    const at = `jobs.Declare(${name})`;
    const result = await resolvePipeline(name, driver, options, this.drivers, { driver: `${at}.driver`, options: at });
    if (!result.ok) {
      const unknown = result.issues.find((i) => i.code === jobsErrors.UNKNOWN_DRIVER.code);
      if (unknown !== undefined) throw jobsErrors.UNKNOWN_DRIVER(driver, this.drivers.available);
      throw jobsErrors.BAD_OPTIONS(name, summarize(result.issues).trim(), { details: { issues: result.issues } });
    }
    const deadLetter = result.pipeline.options.dead_letter;
    if (deadLetter === name) throw jobsErrors.DEAD_LETTER_SELF(name);
    if (deadLetter !== undefined && !this.#pipelines.has(deadLetter)) throw jobsErrors.UNKNOWN_DEAD_LETTER(name, deadLetter);
    const pipeline = await this.#timed('declare', name, this.#open(result.pipeline));
    this.log.info('pipeline declared', { pipeline: name, driver });
    if (this.#consume.has(name) && this.#pool !== undefined) await this.#resume(pipeline);
  }

  /**
   * jobs.Destroy: stops the pipeline and removes what its driver removes on destroy. Jobs waiting in the
   * priority queue go back to the driver first.
   *
   * @throws RR_ERR_JOBS_NO_SUCH_PIPELINE, RR_ERR_JOBS_TIMEOUT
   */
  async destroy(name: string): Promise<void> {
    const pipeline = this.#get(name);
    this.#pipelines.delete(name);
    pipeline.consuming = false;
    await this.#timed('destroy', name, pipeline.handle.pause());
    await this.#giveBack((q) => q.pipeline === pipeline);
    await this.#timed('destroy', name, pipeline.handle.destroy(AbortSignal.timeout(this.config.timeout)));
    this.log.info('pipeline destroyed', { pipeline: name });
  }

  /** jobs.Stat: every pipeline's counters, in declaration order. */
  async stat(): Promise<PipelineStat[]> {
    return Promise.all(
      [...this.#pipelines.values()].map(async (p) => {
        const s = await this.#timed('stat', p.resolved.name, p.handle.stat());
        return {
          pipeline: p.resolved.name,
          driver: p.resolved.driver.name,
          queue: s.queue,
          active: s.active,
          delayed: s.delayed,
          reserved: s.reserved,
          ready: p.consuming,
          priority: p.resolved.options.priority,
        };
      }),
    );
  }

  /**
   * Every pipeline's state for informer.Jobs, status /jobs and `rr workers`: like {@link stat}, but a
   * driver that cannot answer is reported with its error instead of failing the whole report.
   */
  async states(): Promise<PipelineState[]> {
    return Promise.all(
      [...this.#pipelines.values()].map(async (p): Promise<PipelineState> => {
        const base = { pipeline: p.resolved.name, driver: p.resolved.driver.name, ready: p.consuming, priority: p.resolved.options.priority };
        try {
          const s = await this.#timed('stat', p.resolved.name, p.handle.stat());
          return { ...base, queue: s.queue, active: s.active, delayed: s.delayed, reserved: s.reserved, errorMessage: '' };
        } catch (err) {
          return { ...base, queue: p.handle.queue, active: 0, delayed: 0, reserved: 0, errorMessage: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
  }

  /**
   * The graceful stop: no new deliveries; jobs waiting in the priority queue go back to their drivers
   * (RoadRunner drops them); running jobs may finish until `signal` fires or jobs.timeout passes, then the
   * rest go back too; drivers stop `options.parallelism` at a time; the pool is destroyed last.
   *
   * @throws RR_ERR_JOBS_STOP_FAILED naming every pipeline that failed to stop (after all were tried).
   */
  async stop(signal: AbortSignal): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    const pipelines = [...this.#pipelines.values()];
    const failures: string[] = [];
    await this.#each(pipelines, async (p) => {
      p.consuming = false;
      await this.#timed('pause', p.resolved.name, p.handle.pause()).catch((err: unknown) => failures.push(`${p.resolved.name}: ${describe(err)}`));
    });
    await this.#giveBack(() => true);

    if (this.#running.size > 0) {
      this.log.info('waiting for running jobs', { count: this.#running.size });
      const drained = new Promise<void>((resolve) => this.#idle.push(resolve));
      const bound = AbortSignal.any([signal, AbortSignal.timeout(this.config.timeout)]);
      const aborted = new Promise<void>((resolve) => (bound.aborted ? resolve() : bound.addEventListener('abort', () => resolve(), { once: true })));
      await Promise.race([drained, aborted]);
      if (this.#running.size > 0) {
        const left = [...this.#running];
        this.log.warn('running jobs did not finish in time; they go back to their pipelines', { ids: left.map((q) => q.job.id) });
        await Promise.all(left.map((q) => this.#settle(q, () => q.job.nack({ requeue: true }))));
      }
    }

    await this.#each(pipelines, async (p) => {
      await this.#timed('stop', p.resolved.name, p.handle.stop(AbortSignal.any([signal, AbortSignal.timeout(this.config.timeout)]))).catch(
        (err: unknown) => failures.push(`${p.resolved.name}: ${describe(err)}`),
      );
    });
    this.#pipelines.clear();
    await this.#pool?.destroy();
    if (failures.length > 0) throw jobsErrors.STOP_FAILED(failures.join('; '), { plugin: 'jobs' });
  }

  // ── internals ───────────────────────────────────────────────────────────

  #get(name: string): Pipeline {
    const pipeline = this.#pipelines.get(name);
    if (pipeline === undefined) throw jobsErrors.NO_SUCH_PIPELINE(name);
    return pipeline;
  }

  async #open(resolved: ResolvedPipeline): Promise<Pipeline> {
    const { name, driver, options, driverConfig } = resolved;
    // Deliveries start only after resume, by which time the slot is filled.
    const slot: { pipeline?: Pipeline } = {};
    let handle: JobsPipeline;
    try {
      handle = await driver.open({
        pipeline: name,
        config: driverConfig,
        priority: options.priority,
        prefetch: options.prefetch,
        logger: this.log.with({ pipeline: name }),
        deliver: (job) => this.#deliver(slot.pipeline, job),
      });
    } catch (err) {
      throw jobsErrors.OPEN_FAILED(name, driver.name, describe(err), { cause: err, plugin: 'jobs' });
    }
    const pipeline: Pipeline = { resolved, handle, consuming: false };
    slot.pipeline = pipeline;
    this.#pipelines.set(name, pipeline);
    return pipeline;
  }

  async #resume(pipeline: Pipeline): Promise<void> {
    pipeline.consuming = true;
    await this.#timed('resume', pipeline.resolved.name, pipeline.handle.resume());
  }

  #deliver(pipeline: Pipeline | undefined, job: DeliveredJob): void | Promise<void> {
    if (pipeline === undefined || this.#stopping || this.#pipelines.get(pipeline.resolved.name) !== pipeline) {
      // Delivered during a stop or destroy: straight back, it was never looked at.
      return job.nack({ requeue: true }).catch((err: unknown) => this.log.error('returning a job failed', { id: job.id, error: describe(err) }));
    }
    const waited = this.#queue.offer({ pipeline, job }, job.priority);
    this.#dispatch();
    return waited;
  }

  #dispatch(): void {
    if (this.#pool === undefined || this.#stopping) return;
    while (this.#running.size < this.#concurrency) {
      const item = this.#queue.take();
      if (item === undefined) return;
      this.#running.add(item);
      void this.#run(item).finally(() => {
        this.#running.delete(item);
        if (this.#running.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
        this.#dispatch();
      });
    }
  }

  /**
   * One delivery. With a tracer it is a CONSUMER span `<pipeline> process`, child of the context the
   * job's headers carry (its publish span), whose own context PHP receives in the job's headers.
   */
  #run(item: Queued): Promise<void> {
    if (this.tracer === undefined) return this.#process(item, item.job.headers);
    return this.#traced(this.tracer, item);
  }

  async #traced(tracer: Tracer, item: Queued): Promise<void> {
    const { job, pipeline } = item;
    const span = tracer.startSpan(`${pipeline.resolved.name} process`, {
      kind: 'consumer',
      parent: traceCarrierOf(job.headers),
      attributes: {
        'rr.plugin': 'jobs',
        'messaging.system': pipeline.resolved.driver.name,
        'messaging.operation.type': 'process',
        'messaging.destination.name': pipeline.resolved.name,
        'messaging.message.id': job.id,
        'rr.jobs.job': job.job,
        'rr.jobs.attempts': Number(job.headers[ATTEMPTS_HEADER]?.[0] ?? 0) || 0,
      },
    });
    const trace: ConsumeTrace = { span };
    item.trace = trace;
    try {
      await this.#process(item, withTraceContext(job.headers, span));
    } catch (err) {
      trace.failure ??= describe(err);
      throw err;
    } finally {
      span.setAttributes({ 'rr.jobs.outcome': trace.outcome ?? 'unknown' });
      if (trace.failure !== undefined) span.fail(trace.failure);
      span.end();
    }
  }

  async #process(item: Queued, headers: JobHeaders): Promise<void> {
    const { job, pipeline } = item;
    const pool = this.#pool as WorkerPool;
    const driver = pipeline.resolved.driver.name;
    if (job.autoAck) await this.#settle(item, () => job.ack());
    let result;
    try {
      result = await pool.exec({
        context: deliveryContext(job, driver, headers),
        body: Buffer.from(job.payload.buffer, job.payload.byteOffset, job.payload.byteLength),
        codec: CODEC_RAW,
      });
    } catch (err) {
      if (this.#stopping && isRrError(err, 'RR_ERR_POOL_STOPPED')) {
        mark(item, 'returned');
        return this.#settle(item, () => job.nack({ requeue: true }));
      }
      const attempted = !(isRrError(err) && NOT_ATTEMPTED.has(err.code));
      return this.#failed(item, describe(err), attempted ? 'backoff' : 'retry-free');
    }
    if (result.stream !== undefined) {
      // Ending the iteration makes the pool stop and drain the worker.
      await result.stream[Symbol.asyncIterator]().return?.();
      return this.#failed(item, 'streaming is not supported', 'backoff');
    }
    const verdict = parseResponse(result.body);
    const fields = { id: job.id, job: job.job, pipeline: job.pipeline };
    switch (verdict.kind) {
      case 'ack':
        return this.#ok(item);
      case 'unknown':
        this.log.warn('unknown worker response type; job acked', { ...fields, type: verdict.type });
        return this.#ok(item);
      case 'malformed':
        this.log.error('invalid worker response; job acked to avoid a redelivery loop', { ...fields, error: verdict.reason });
        mark(item, 'ack', `invalid worker response: ${verdict.reason}`);
        return this.#ok(item);
      case 'error':
        this.log.error('job failed', { ...fields, error: verdict.message });
        mark(item, 'error', verdict.message === '' ? 'the worker reported an error' : verdict.message);
        this.#counted(item, 'error');
        return this.#settle(item, () => job.ack());
      case 'requeue':
        return this.#requeue(item, verdict.headers, verdict.delaySeconds * 1000);
      case 'nack':
        if (verdict.requeue) return this.#failed(item, verdict.message === '' ? 'nacked with requeue' : verdict.message, verdict.delaySeconds * 1000);
        this.log.warn('job nacked', { ...fields, error: verdict.message });
        mark(item, 'nack', verdict.message === '' ? 'nacked' : verdict.message);
        this.#counted(item, 'error');
        return this.#settle(item, () => job.nack());
    }
  }

  /**
   * One PRODUCER span `<pipeline> publish` per job, child of a context already in the job's headers (a
   * PHP producer's); its own context replaces it in the message's headers before the driver stores
   * them, so the consumer continues the trace whatever broker carries the job.
   */
  #publishSpans(tracer: Tracer, pipeline: string, driver: string, messages: JobMessage[]): TraceSpan[] {
    return messages.map((message) => {
      const span = tracer.startSpan(`${pipeline} publish`, {
        kind: 'producer',
        parent: traceCarrierOf(message.headers),
        attributes: {
          'rr.plugin': 'jobs',
          'messaging.system': driver,
          'messaging.operation.type': 'publish',
          'messaging.destination.name': pipeline,
          'messaging.message.id': message.id,
          'rr.jobs.job': message.job,
        },
      });
      message.headers = withTraceContext(message.headers, span);
      return span;
    });
  }

  #ok(item: Queued): Promise<void> {
    if (item.trace?.outcome === undefined) mark(item, 'ack');
    this.#counted(item, 'ok');
    return this.#settle(item, () => item.job.ack());
  }

  #counted(item: Queued, type: 'ok' | 'error' | 'requeue' | 'dead_letter'): void {
    if (type === 'ok') this.metrics.jobsOk++;
    else if (type === 'error' || type === 'dead_letter') this.metrics.jobsErr++;
    else this.metrics.requeued++;
    this.metrics.request(item.pipeline.resolved.name, item.pipeline.resolved.driver.name, type);
  }

  /** An explicit requeue from the worker (type 4, or type 1 with requeue): not a failed attempt. */
  async #requeue(item: Queued, headers: JobHeaders, delayMs: number): Promise<void> {
    const { job, pipeline } = item;
    mark(item, 'requeue');
    this.#counted(item, 'requeue');
    if (!job.autoAck) return this.#settle(item, () => job.requeue({ headers, delayMs }));
    // An auto-acked job is gone from the driver: the copy is a new push.
    return this.#settle(item, () => pipeline.handle.push([{ ...this.#message(job), headers: { ...job.headers, ...headers }, delayMs }]));
  }

  /**
   * A failed attempt: retried with the attempts header incremented, after `delay` (the backoff, or the
   * worker's own delay for a NACK with requeue); once max_attempts is reached, dead-lettered or dropped.
   * `retry-free` is a job that never reached a worker: back to the driver without counting.
   */
  async #failed(item: Queued, reason: string, delay: 'backoff' | 'retry-free' | number): Promise<void> {
    const { job, pipeline } = item;
    const { max_attempts: max, retry_delay: base } = pipeline.resolved.options;
    const fields = { id: job.id, job: job.job, pipeline: job.pipeline, error: reason };
    if (job.autoAck) {
      mark(item, 'failed', reason);
      this.log.error('auto_ack job failed; it is not retried', fields);
      this.#counted(item, 'error');
      return;
    }
    if (delay === 'retry-free') {
      mark(item, 'returned', reason);
      this.log.warn('job could not reach a worker; it goes back to its pipeline', fields);
      return this.#settle(item, () => job.nack({ requeue: true, delayMs: base }));
    }
    const previous = Number.parseInt(job.headers[ATTEMPTS_HEADER]?.[0] ?? '0', 10);
    const attempts = (Number.isFinite(previous) && previous > 0 ? previous : 0) + 1;
    if (max > 0 && attempts >= max) return this.#exhausted(item, attempts, reason);
    const delayMs = delay === 'backoff' ? Math.min(base * 2 ** (attempts - 1), MAX_BACKOFF_MS) : delay;
    mark(item, 'retry', reason);
    this.log.warn('job attempt failed; retrying', { ...fields, attempts, max_attempts: max, delay_ms: delayMs });
    this.#counted(item, 'requeue');
    return this.#settle(item, () => job.requeue({ headers: { [ATTEMPTS_HEADER]: [String(attempts)] }, delayMs }));
  }

  async #exhausted(item: Queued, attempts: number, reason: string): Promise<void> {
    const { job, pipeline } = item;
    const deadLetter = pipeline.resolved.options.dead_letter;
    const fields = { id: job.id, job: job.job, pipeline: job.pipeline, attempts, error: reason };
    this.#counted(item, 'dead_letter');
    mark(item, deadLetter === undefined ? 'dropped' : 'dead_letter', reason);
    if (deadLetter === undefined) {
      this.log.error('job dropped: max_attempts reached and the pipeline has no dead_letter', fields);
      return this.#settle(item, () => job.ack());
    }
    const target = this.#pipelines.get(deadLetter);
    try {
      if (target === undefined) throw jobsErrors.NO_SUCH_PIPELINE(deadLetter);
      const headers = { ...job.headers };
      delete headers[ATTEMPTS_HEADER];
      headers[DEAD_LETTER_HEADERS.pipeline] = [job.pipeline];
      headers[DEAD_LETTER_HEADERS.attempts] = [String(attempts)];
      headers[DEAD_LETTER_HEADERS.error] = [reason];
      await this.#timed('push', deadLetter, target.handle.push([{ ...this.#message(job), headers, delayMs: 0, autoAck: false }]));
    } catch (err) {
      // Never lost: the job stays in its pipeline and tries the dead letter again after the longest backoff.
      this.log.error('moving a job to its dead_letter pipeline failed; it stays queued', { ...fields, dead_letter: deadLetter, push_error: describe(err) });
      mark(item, 'retry', `${reason}; the dead_letter push failed: ${describe(err)}`);
      return this.#settle(item, () => job.requeue({ headers: { [ATTEMPTS_HEADER]: [String(attempts - 1)] }, delayMs: MAX_BACKOFF_MS }));
    }
    this.log.warn('job moved to its dead_letter pipeline after max_attempts', { ...fields, dead_letter: deadLetter });
    return this.#settle(item, () => job.ack());
  }

  #message(job: DeliveredJob): JobMessage {
    return { id: job.id, job: job.job, payload: job.payload, headers: job.headers, priority: job.priority, delayMs: 0, autoAck: job.autoAck };
  }

  /** Runs a settle call; a driver failure here is logged (the broker redelivers an unsettled job). */
  async #settle(item: Queued, apply: () => Promise<void>): Promise<void> {
    try {
      await this.#timed('settle', item.pipeline.resolved.name, apply());
    } catch (err) {
      this.log.error('settling a job failed', { id: item.job.id, pipeline: item.job.pipeline, error: describe(err) });
    }
  }

  /** Returns queued jobs matching `which` to their drivers (nack with requeue), never dropping them. */
  async #giveBack(which: (q: Queued) => boolean): Promise<void> {
    const back = this.#queue.drain(which);
    if (back.length === 0) return;
    this.log.info('returning queued jobs to their pipelines', { count: back.length });
    await Promise.all(back.map((q) => this.#settle(q, () => q.job.nack({ requeue: true }))));
  }

  async #timed<T>(operation: string, pipeline: string, work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(jobsErrors.TIMEOUT(operation, pipeline, this.config.timeout)), this.config.timeout);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Runs `work` over `items`, `options.parallelism` at a time. */
  async #each<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    const queue = [...items];
    const errors: unknown[] = [];
    const lanes = Array.from({ length: Math.min(this.config.options.parallelism, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
        try {
          await work(item);
        } catch (err) {
          errors.push(err);
        }
      }
    });
    await Promise.all(lanes);
    // The first failure is thrown; the others would be lost, so they are logged.
    for (const err of errors.slice(1)) this.log.error('pipeline operation failed', { error: describe(err) });
    if (errors.length > 0) throw errors[0];
  }
}
