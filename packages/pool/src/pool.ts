import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RrError } from '@rr/errors';
import { RelayListener, encodeData, formatDsn, parseDsn } from '@rr/goridge';
import { poolErrors } from './errors.js';
import {
  WorkerStatus,
  type ExecOptions,
  type ExecResult,
  type Payload,
  type PoolConfig,
  type PoolLogger,
  type PoolOptions,
  type PoolStats,
  type ProcessState,
  type WorkerPool,
} from './types.js';
import { RetryRequest, WorkerProcess, statusName, type WorkerExit, type WorkerHooks, type WorkerOptions } from './worker.js';

/** RoadRunner's hard cap on `num_workers`. */
export const MAX_NUM_WORKERS = 500;
/** RoadRunner's cap on `num_workers + dynamic_allocator.max_workers`. */
export const MAX_TOTAL_WORKERS = 2048;
/** How often one request may be re-dispatched before it fails (a worker that always asks to be replaced). */
export const MAX_ATTEMPTS = 10;
/** A worker that dies within this time after its handshake, before answering anything, failed to boot. */
export const BOOT_GRACE_MS = 1000;
/** Delay before the first respawn after a boot failure; it doubles with each further failure. */
export const BACKOFF_MIN_MS = 100;
/** The longest delay between respawns while workers keep failing to boot ("keep trying slowly"). */
export const BACKOFF_MAX_MS = 5000;
const DEFAULT_TIMEOUT_MS = 60_000;
const MB = 1024 * 1024;

/** Events of a pool, for metrics and logs. Emitting costs nothing when nobody listens. */
export interface PoolEvents {
  /** A worker process was spawned (not yet handshaken). */
  spawned: [pid: number];
  /** A worker completed its handshake and joined the pool. */
  ready: [pid: number];
  /** A worker process is gone. */
  exited: [pid: number, exit: WorkerExit];
  /** A worker changed state ({@link WorkerStatus}). */
  state: [pid: number, status: number];
  /** A request finished on a worker: duration until the (first) response frame, and the error if it failed. */
  exec: [pid: number, durationMs: number, error: unknown];
  /**
   * Workers keep failing to start (`fatalAfter` in a row): the owner should fail. The pool keeps retrying
   * slowly. Emitted once per failure streak.
   */
  fatal: [error: RrError];
}

/** {@link PoolOptions} plus knobs that are not RoadRunner config keys. */
export interface CreatePoolOptions extends PoolOptions {
  /** How long a soft-stopped worker (ttl, max_jobs, reset, replacement…) may take to exit before SIGKILL. @default 10000 (RoadRunner's) */
  softStopTimeout?: number | undefined;
  /** Consecutive boot failures before `fatal` is reported. @default 5 */
  fatalAfter?: number | undefined;
  /** Called with the `fatal` event's error. */
  onFatal?: ((error: RrError) => void) | undefined;
  /**
   * A listener shared by several pools on one socket relay (RoadRunner listens once per server). The pool
   * then neither opens nor closes one itself.
   */
  listener?: RelayListener | undefined;
}

/** A running pool: the {@link WorkerPool} contract plus its event emitter. */
export interface Pool extends WorkerPool {
  readonly events: EventEmitter<PoolEvents>;
}

/**
 * Creates a static worker pool (call `start()`).
 *
 * @throws RR_ERR_POOL_INVALID_CONFIG num_workers over 500, an empty command, a bad relay address…
 */
export function createPool(options: CreatePoolOptions): Pool {
  return new StaticPool(options);
}

const enum State {
  New,
  Starting,
  Running,
  Stopping,
  Stopped,
}

interface Resolved {
  numWorkers: number;
  maxJobs: number;
  allocateTimeout: number;
  resetTimeout: number;
  destroyTimeout: number;
  streamTimeout: number;
  maxQueueSize: number;
  debug: boolean;
  dynamic: { maxWorkers: number; spawnRate: number; idleTimeout: number } | undefined;
  supervisor: { watchTick: number; ttl: number; idleTtl: number; maxMemory: number; execTtl: number } | undefined;
}

/** A request waiting for a free worker (FIFO, doubly linked for O(1) removal on timeout or abort). */
class Waiter {
  prev: Waiter | undefined;
  next: Waiter | undefined;
  timer: NodeJS.Timeout | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  constructor(
    readonly resolve: (worker: WorkerProcess) => void,
    readonly reject: (err: unknown) => void,
  ) {}
}

/**
 * The static pool with supervisor, rolling reset, dynamic allocator and debug mode.
 *
 * @remarks Invariants: a worker's status is `ready` exactly while it sits in `#free`; `retiring` workers are
 * never handed a request and no longer count as capacity; every request gets a worker from `#free` (LIFO) or
 * by direct hand-off from a releasing worker to the oldest waiter, never by polling.
 */
class StaticPool implements Pool {
  readonly name: string;
  readonly events = new EventEmitter<PoolEvents>();
  readonly #options: CreatePoolOptions;
  readonly #cfg: Resolved;
  readonly #logger: PoolLogger;
  readonly #fields: Record<string, unknown>;
  readonly #command: readonly string[];
  readonly #pipes: boolean;
  readonly #softStopTimeout: number;
  readonly #fatalAfter: number;
  #state = State.New;
  readonly #all = new Set<WorkerProcess>();
  readonly #free: WorkerProcess[] = [];
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #queued = 0;
  /** Base workers wanted (num_workers, changed by addWorker/removeWorker). */
  #target: number;
  #bootFailures = 0;
  #fatalReported = false;
  /** Base-worker boots started by the filler and not settled yet. */
  #pendingBoots = 0;
  #fillTimer: NodeJS.Timeout | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #lastBurst = Number.NEGATIVE_INFINITY;
  #listener: RelayListener | undefined;
  #workerOptions: WorkerOptions | undefined;
  #starting: Promise<void> | undefined;
  #resetting: Promise<void> | undefined;
  #destroying: Promise<void> | undefined;
  readonly #hooks: WorkerHooks;

  constructor(options: CreatePoolOptions) {
    this.name = options.name;
    this.#options = options;
    this.#logger = options.logger;
    this.#fields = { plugin: options.name };
    this.#cfg = resolveConfig(options.name, options.config);
    this.#command = options.config.command ?? options.command;
    if (this.#command.length === 0 || this.#command[0] === '') {
      throw poolErrors.INVALID_CONFIG(options.name, 'command', 'the worker command is empty', { plugin: options.name });
    }
    const relay = options.relay === '' ? 'pipes' : options.relay;
    this.#pipes = relay === 'pipes';
    if (!this.#pipes) {
      try {
        parseDsn(relay);
      } catch (err) {
        throw poolErrors.INVALID_CONFIG(options.name, 'relay', `"${relay}" is not pipes, tcp://host:port or unix:///path`, {
          cause: err,
          plugin: options.name,
        });
      }
    }
    this.#softStopTimeout = options.softStopTimeout ?? 10_000;
    this.#fatalAfter = options.fatalAfter ?? 5;
    this.#target = this.#cfg.numWorkers;
    this.#hooks = {
      idle: (w) => this.#release(w),
      lost: (w) => this.#lost(w),
      invalid: (w) => this.#retire(w, WorkerStatus.invalid),
      state: (w) => {
        if (this.events.listenerCount('state') > 0) this.events.emit('state', w.pid, w.status);
      },
    };
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────────────────

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#state !== State.New) throw poolErrors.STOPPED(this.name, { plugin: this.name });
    this.#state = State.Starting;
    const env: Record<string, string> = { ...this.#options.env };
    if (this.#pipes) {
      env['RR_RELAY'] = 'pipes';
    } else {
      const listener = this.#options.listener ?? (await this.#listen());
      if (this.#state !== State.Starting) {
        if (listener !== this.#options.listener) await listener.close();
        throw poolErrors.STOPPED(this.name, { plugin: this.name });
      }
      this.#listener = listener;
      env['RR_RELAY'] = workerAddress(listener.address);
    }
    this.#workerOptions = {
      name: this.name,
      command: this.#command,
      env,
      cwd: this.#options.cwd,
      uid: this.#options.uid,
      gid: this.#options.gid,
      listener: this.#listener,
      logger: this.#logger,
      bootTimeoutMs: this.#cfg.allocateTimeout,
      execTtlMs: this.#cfg.supervisor?.execTtl ?? 0,
      streamTimeoutMs: this.#cfg.streamTimeout,
    };
    const workers: WorkerProcess[] = [];
    for (let i = 0; i < this.#target; i++) workers.push(this.#spawn('base'));
    const results = await Promise.allSettled(
      workers.map(async (w) => {
        await w.boot();
        this.#addReady(w);
      }),
    );
    if (this.#state !== State.Starting) throw poolErrors.STOPPED(this.name, { plugin: this.name });
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      const err = failed.reason as RrError;
      this.#logger.error('pool failed to start', { ...this.#fields, code: err.code, error: err.message });
      await this.destroy();
      throw err;
    }
    this.#state = State.Running;
    const tick = this.#cfg.supervisor?.watchTick ?? Math.min(1000, this.#cfg.dynamic?.idleTimeout ?? 1000);
    this.#tickTimer = setInterval(this.#tick, tick);
    this.#tickTimer.unref();
    this.#logger.debug('pool started', { ...this.#fields, workers: this.#target, relay: env['RR_RELAY'] });
    this.#fill();
  }

  async #listen(): Promise<RelayListener> {
    let listener: RelayListener;
    try {
      listener = await RelayListener.listen(this.#options.relay, { handshakeTimeoutMs: this.#cfg.allocateTimeout });
    } catch (err) {
      this.#state = State.Stopped;
      throw poolErrors.LISTEN_FAILED(this.name, this.#options.relay, (err as Error).message, { cause: err, plugin: this.name });
    }
    listener.on('error', (err) => this.#logger.warn('a worker connection failed its handshake', { ...this.#fields, code: err.code, error: err.message }));
    return listener;
  }

  destroy(): Promise<void> {
    this.#destroying ??= this.#shutdown();
    return this.#destroying;
  }

  async #shutdown(): Promise<void> {
    const wasNew = this.#state === State.New;
    this.#state = State.Stopping;
    clearTimeout(this.#fillTimer);
    clearInterval(this.#tickTimer);
    for (let w = this.#shift(); w !== undefined; w = this.#shift()) w.reject(poolErrors.STOPPED(this.name, { plugin: this.name }));
    const timeout = this.#cfg.destroyTimeout;
    for (const w of this.#all) {
      if (w.busy) w.retireAs = WorkerStatus.stopping;
      else this.#retire(w, WorkerStatus.stopping);
    }
    // Busy workers finish within destroy_timeout (their release retires them); then everything left dies.
    const killer = setTimeout(() => {
      for (const w of this.#all) {
        if (!w.dead) this.#logger.warn('worker still running at destroy_timeout, killing it', { ...this.#fields, pid: w.pid });
        w.kill('destroy_timeout elapsed while the pool was stopping');
      }
    }, timeout);
    while (this.#all.size > 0) await Promise.all([...this.#all].map((w) => w.exited));
    clearTimeout(killer);
    if (this.#listener !== undefined && this.#listener !== this.#options.listener) await this.#listener.close();
    this.#state = State.Stopped;
    if (!wasNew) this.#logger.debug('pool stopped', this.#fields);
  }

  // ── requests ───────────────────────────────────────────────────────────────────────────

  async exec(payload: Payload, options?: ExecOptions): Promise<ExecResult> {
    if (this.#state >= State.Stopping) throw poolErrors.STOPPED(this.name, { plugin: this.name });
    const signal = options?.signal;
    if (signal?.aborted === true) throw poolErrors.ABORTED(this.name, { plugin: this.name });
    const frame = this.#encode(payload);
    for (let attempt = 1; ; attempt++) {
      const worker = this.#free.pop() ?? (await this.#acquire(signal));
      try {
        const result = await worker.exec(frame, signal);
        if (this.events.listenerCount('exec') > 0) this.events.emit('exec', worker.pid, performance.now() - worker.execStartedAt, undefined);
        return result;
      } catch (err) {
        if (!(err instanceof RetryRequest)) {
          if (this.events.listenerCount('exec') > 0) this.events.emit('exec', worker.pid, performance.now() - worker.execStartedAt, err);
          throw err;
        }
        if (this.#state >= State.Stopping) throw poolErrors.STOPPED(this.name, { plugin: this.name, cause: err.reason });
        if (attempt >= MAX_ATTEMPTS) throw poolErrors.RETRIES_EXHAUSTED(this.name, attempt, { plugin: this.name, cause: err.reason });
        this.#logger.debug('request re-dispatched: it never reached the application', { ...this.#fields, pid: worker.pid, reason: err.reason.message });
      }
    }
  }

  #encode(payload: Payload): Buffer {
    if (payload.context.length === 0 && payload.body.length === 0) {
      throw poolErrors.INVALID_PAYLOAD(this.name, 'payload can not be empty (no context and no body)', { plugin: this.name });
    }
    try {
      return encodeData(payload.codec, payload.context, payload.body);
    } catch (err) {
      throw poolErrors.INVALID_PAYLOAD(this.name, (err as Error).message, { cause: err, plugin: this.name });
    }
  }

  /** Slow path: no free worker. Waits (FIFO) for one, spawns extra ones when allowed, or spawns one in debug mode. */
  #acquire(signal: AbortSignal | undefined): Promise<WorkerProcess> {
    if (this.#state >= State.Stopping) return Promise.reject(poolErrors.STOPPED(this.name, { plugin: this.name }));
    if (this.#cfg.debug) return this.#spawnForRequest(signal);
    const limit = this.#cfg.maxQueueSize;
    if (limit > 0 && this.#queued >= limit) {
      return Promise.reject(poolErrors.QUEUE_FULL(this.name, this.#queued, { plugin: this.name, details: { queued: this.#queued } }));
    }
    this.#scaleUp();
    return new Promise<WorkerProcess>((resolve, reject) => {
      const waiter = new Waiter(resolve, reject);
      waiter.prev = this.#tail;
      if (this.#tail === undefined) this.#head = waiter;
      else this.#tail.next = waiter;
      this.#tail = waiter;
      this.#queued++;
      waiter.timer = setTimeout(this.#expire, this.#cfg.allocateTimeout, waiter);
      if (signal !== undefined) {
        waiter.signal = signal;
        waiter.onAbort = () => {
          this.#unlink(waiter);
          waiter.reject(poolErrors.ABORTED(this.name, { plugin: this.name }));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
    });
  }

  readonly #expire = (waiter: Waiter): void => {
    waiter.timer = undefined;
    this.#unlink(waiter);
    const ms = this.#cfg.allocateTimeout;
    waiter.reject(poolErrors.NO_FREE_WORKERS(this.name, ms, { plugin: this.name, details: { allocateTimeoutMs: ms } }));
  };

  /** Takes the oldest waiter out of the queue. */
  #shift(): Waiter | undefined {
    const waiter = this.#head;
    if (waiter !== undefined) this.#unlink(waiter);
    return waiter;
  }

  #unlink(waiter: Waiter): void {
    if (waiter.prev === undefined) {
      if (this.#head !== waiter) return; // already removed
      this.#head = waiter.next;
    } else {
      waiter.prev.next = waiter.next;
    }
    if (waiter.next === undefined) this.#tail = waiter.prev;
    else waiter.next.prev = waiter.prev;
    waiter.prev = undefined;
    waiter.next = undefined;
    this.#queued--;
    clearTimeout(waiter.timer);
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort);
  }

  /** Debug mode: a fresh worker per request, stopped after it. */
  async #spawnForRequest(signal: AbortSignal | undefined): Promise<WorkerProcess> {
    const w = this.#spawn('debug');
    try {
      await w.boot();
    } catch (err) {
      w.retiring = true;
      if (this.#state < State.Stopping) this.#bootFailed(err as RrError);
      throw err;
    }
    if (this.#state >= State.Stopping || signal?.aborted === true) {
      this.#retire(w, WorkerStatus.stopping);
      throw this.#state >= State.Stopping ? poolErrors.STOPPED(this.name, { plugin: this.name }) : poolErrors.ABORTED(this.name, { plugin: this.name });
    }
    return w;
  }

  // ── worker bookkeeping ─────────────────────────────────────────────────────────────────

  #spawn(role: WorkerProcess['role']): WorkerProcess {
    const w = new WorkerProcess(this.#workerOptions as WorkerOptions, this.#hooks);
    w.role = role;
    this.#all.add(w);
    if (this.events.listenerCount('spawned') > 0) this.events.emit('spawned', w.pid);
    void w.exited.then((exit) => {
      this.#all.delete(w);
      this.events.emit('exited', w.pid, exit);
    });
    return w;
  }

  /** A freshly booted worker joins the pool (or is stopped at once when the pool is stopping). */
  #addReady(w: WorkerProcess): void {
    if (this.#state >= State.Stopping || w.dead || w.retiring) {
      this.#retire(w, WorkerStatus.stopping);
      return;
    }
    if (this.events.listenerCount('ready') > 0) this.events.emit('ready', w.pid);
    this.#offer(w);
  }

  /** Hands an idle worker to the oldest waiter, or puts it on the free stack. */
  #offer(w: WorkerProcess): void {
    const waiter = this.#shift();
    if (waiter !== undefined) {
      w.status = WorkerStatus.working;
      waiter.resolve(w);
      return;
    }
    w.status = WorkerStatus.ready;
    this.#free.push(w);
  }

  /** Worker hook: a request finished. */
  #release(w: WorkerProcess): void {
    this.#bootFailures = 0;
    this.#fatalReported = false;
    if (w.retiring || w.dead) return;
    if (this.#state >= State.Stopping || w.role === 'debug') {
      this.#retire(w, WorkerStatus.stopping);
    } else if (this.#cfg.maxJobs > 0 && w.numExecs >= this.#cfg.maxJobs) {
      this.#retire(w, WorkerStatus.maxJobsReached);
    } else if (w.retireAs !== undefined) {
      this.#retire(w, w.retireAs);
    } else {
      this.#offer(w);
    }
  }

  /** Takes a worker out of service and soft-stops it; base workers are replaced. */
  #retire(w: WorkerProcess, status: number): void {
    if (w.retiring) return;
    w.retiring = true;
    this.#removeFree(w);
    if (status !== WorkerStatus.stopping) this.#logger.debug('worker retired', { ...this.#fields, pid: w.pid, reason: statusName(status), execs: w.numExecs });
    const timeout = this.#state >= State.Stopping ? this.#cfg.destroyTimeout : this.#softStopTimeout;
    void w.stop(timeout, status);
    if (w.role === 'base') this.#fill();
  }

  /** Worker hook: the worker died or was killed. */
  #lost(w: WorkerProcess): void {
    this.#removeFree(w);
    if (w.retiring) return;
    w.retiring = true;
    if (this.#state >= State.Stopping || w.role !== 'base') return;
    if (!w.killedByPool && w.numExecs === 0 && Date.now() - w.readyAt < BOOT_GRACE_MS) {
      this.#bootFailed(poolErrors.WORKER_START_FAILED(this.name, `worker ${w.pid} died right after its handshake`, { plugin: this.name }));
    } else {
      this.#bootFailures = 0;
      this.#fatalReported = false;
    }
    this.#fill();
  }

  #removeFree(w: WorkerProcess): void {
    const i = this.#free.lastIndexOf(w);
    if (i >= 0) this.#free.splice(i, 1);
  }

  /** Base workers alive and not leaving (booting ones included). */
  #capacity(): number {
    let n = 0;
    for (const w of this.#all) if (w.role === 'base' && !w.retiring && !w.dead) n++;
    return n;
  }

  /** Spawns base workers up to num_workers; after boot failures one at a time, with exponential backoff. */
  #fill(): void {
    if (this.#state !== State.Running || this.#fillTimer !== undefined) return;
    const missing = this.#target - this.#capacity();
    if (missing <= 0) return;
    if (this.#bootFailures === 0) {
      for (let i = 0; i < missing; i++) this.#bootBase();
      return;
    }
    if (this.#pendingBoots > 0) return;
    const delay = Math.min(BACKOFF_MIN_MS * 2 ** (this.#bootFailures - 1), BACKOFF_MAX_MS);
    this.#fillTimer = setTimeout(() => {
      this.#fillTimer = undefined;
      if (this.#state === State.Running && this.#capacity() < this.#target) this.#bootBase();
    }, delay);
    this.#fillTimer.unref();
  }

  #bootBase(): void {
    const w = this.#spawn('base');
    this.#pendingBoots++;
    w.boot().then(
      () => {
        this.#pendingBoots--;
        this.#addReady(w);
        this.#fill();
      },
      (err: RrError) => {
        this.#pendingBoots--;
        w.retiring = true;
        if (this.#state >= State.Stopping) return;
        this.#bootFailed(err);
        this.#fill();
      },
    );
  }

  #bootFailed(err: RrError): void {
    this.#bootFailures++;
    const retryIn = Math.min(BACKOFF_MIN_MS * 2 ** (this.#bootFailures - 1), BACKOFF_MAX_MS);
    this.#logger.error('worker failed to start', { ...this.#fields, code: err.code, error: err.message, failures: this.#bootFailures, retry_in_ms: retryIn });
    if (this.#bootFailures >= this.#fatalAfter && !this.#fatalReported) {
      this.#fatalReported = true;
      const fatal = poolErrors.WORKER_START_FAILED(this.name, `${this.#bootFailures} workers in a row failed to start; last: ${err.message}`, {
        cause: err,
        plugin: this.name,
        details: { failures: this.#bootFailures },
      });
      this.events.emit('fatal', fatal);
      this.#options.onFatal?.(fatal);
    }
  }

  /** Dynamic allocator: a request has to wait, so add up to spawn_rate workers (one burst per second at most). */
  #scaleUp(): void {
    const dyn = this.#cfg.dynamic;
    if (dyn === undefined || this.#state !== State.Running) return;
    const now = performance.now();
    if (now - this.#lastBurst < 1000) return;
    let alive = 0;
    for (const w of this.#all) if (!w.retiring && !w.dead) alive++;
    const n = Math.min(dyn.spawnRate, this.#target + dyn.maxWorkers - alive);
    if (n <= 0) return;
    this.#lastBurst = now;
    this.#logger.debug('no free worker: spawning extra workers', { ...this.#fields, count: n });
    for (let i = 0; i < n; i++) {
      const w = this.#spawn('dynamic');
      w.boot().then(
        () => this.#addReady(w),
        (err: RrError) => {
          w.retiring = true;
          this.#logger.warn('extra worker failed to start', { ...this.#fields, code: err.code, error: err.message });
        },
      );
    }
  }

  /** Supervisor and housekeeping, every watch_tick (1 s without a supervisor section). */
  readonly #tick = (): void => {
    const now = Date.now();
    const sup = this.#cfg.supervisor;
    const dyn = this.#cfg.dynamic;
    for (const w of this.#all) {
      if (w.retiring || w.dead) continue;
      const idle = w.status === WorkerStatus.ready;
      if (!idle && w.status !== WorkerStatus.working) continue;
      if (sup !== undefined) {
        let reason: number | undefined;
        if (sup.ttl > 0 && now - w.createdAt >= sup.ttl) reason = WorkerStatus.ttlReached;
        else if (sup.idleTtl > 0 && idle && w.lastUsed > 0 && now - w.lastUsed >= sup.idleTtl) reason = WorkerStatus.idleTTLReached;
        else if (sup.maxMemory > 0 && w.memoryUsage() >= sup.maxMemory * MB) reason = WorkerStatus.maxMemoryReached;
        if (reason !== undefined) {
          if (idle) {
            this.#logger.info('worker reached a supervisor limit, replacing it', { ...this.#fields, pid: w.pid, reason: statusName(reason) });
            this.#retire(w, reason);
            continue;
          }
          // Soft limits never interrupt a request (RoadRunner #1561): the worker leaves after its response.
          if (w.retireAs === undefined) {
            w.retireAs = reason;
            this.#logger.info('busy worker reached a supervisor limit, replacing it after its response', {
              ...this.#fields,
              pid: w.pid,
              reason: statusName(reason),
            });
          }
        }
      }
      if (dyn !== undefined && idle && w.role === 'dynamic' && now - Math.max(w.lastUsed, w.readyAt) >= dyn.idleTimeout) {
        this.#logger.debug('extra worker idle for idle_timeout, removing it', { ...this.#fields, pid: w.pid });
        this.#retire(w, WorkerStatus.stopping);
      }
    }
    // Watchdog (RoadRunner #737): a waiting request must never sit next to an idle worker.
    while (this.#head !== undefined && this.#free.length > 0) this.#offer(this.#free.pop() as WorkerProcess);
    this.#fill();
  };

  // ── reset and scaling ──────────────────────────────────────────────────────────────────

  reset(): Promise<void> {
    if (this.#state >= State.Stopping) return Promise.reject(poolErrors.STOPPED(this.name, { plugin: this.name }));
    if (this.#cfg.debug || this.#state !== State.Running) return Promise.resolve();
    this.#resetting ??= this.#rollingReset().finally(() => {
      this.#resetting = undefined;
    });
    return this.#resetting;
  }

  /**
   * Replaces every worker without losing capacity: for a few old workers at a time, a new one is started and
   * joins the pool, then the old one leaves once idle. Busy old workers are killed only when reset_timeout ends.
   */
  async #rollingReset(): Promise<void> {
    const old = [...this.#all].filter((w) => !w.retiring && !w.dead && w.role !== 'debug');
    this.#logger.info('rolling reset', { ...this.#fields, workers: old.length });
    const killer = setTimeout(() => {
      for (const w of old) {
        if (w.dead || !w.busy) continue;
        this.#logger.warn('worker still busy at reset_timeout, killing it', { ...this.#fields, pid: w.pid });
        w.kill('reset_timeout elapsed during a pool reset');
      }
    }, this.#cfg.resetTimeout);
    try {
      for (const w of old) if (w.role === 'dynamic') this.#retireWhenIdle(w);
      const bases = old.filter((w) => w.role === 'base');
      const step = Math.max(1, Math.ceil(bases.length / 4));
      for (let i = 0; i < bases.length; i += step) await Promise.all(bases.slice(i, i + step).map((w) => this.#replace(w)));
      await Promise.all(old.map((w) => w.exited));
    } finally {
      clearTimeout(killer);
    }
    this.#logger.info('rolling reset done', this.#fields);
  }

  async #replace(old: WorkerProcess): Promise<void> {
    if (old.retiring || old.dead || this.#state !== State.Running) return;
    const fresh = this.#spawn('base');
    try {
      await fresh.boot();
    } catch (err) {
      fresh.retiring = true;
      this.#logger.error('reset aborted: a new worker failed to start; the old workers keep serving', {
        ...this.#fields,
        code: (err as RrError).code,
        error: (err as Error).message,
      });
      throw err;
    }
    this.#addReady(fresh);
    this.#retireWhenIdle(old);
  }

  #retireWhenIdle(w: WorkerProcess): void {
    if (w.retiring || w.dead) return;
    if (w.status === WorkerStatus.ready) this.#retire(w, WorkerStatus.stopping);
    else w.retireAs ??= WorkerStatus.stopping;
  }

  async addWorker(): Promise<void> {
    if (this.#cfg.debug) throw poolErrors.DEBUG_MODE(this.name, 'addWorker', { plugin: this.name });
    if (this.#state >= State.Stopping) throw poolErrors.STOPPED(this.name, { plugin: this.name });
    this.#target++;
    const w = this.#spawn('base');
    try {
      await w.boot();
    } catch (err) {
      w.retiring = true;
      this.#target--;
      throw err;
    }
    this.#addReady(w);
  }

  async removeWorker(): Promise<boolean> {
    if (this.#cfg.debug || this.#state !== State.Running) return false;
    const bases = [...this.#all].filter((w) => w.role === 'base' && !w.retiring && !w.dead && w.status !== WorkerStatus.inactive);
    if (this.#target <= 1 || bases.length <= 1) return false;
    this.#target--;
    // The least recently used idle worker sits at the bottom of the LIFO stack.
    const idle = this.#free.find((w) => w.role === 'base');
    if (idle !== undefined) {
      this.#retire(idle, WorkerStatus.stopping);
      await idle.exited;
      return true;
    }
    // All busy: the first one to finish leaves (never interrupted; not awaited, a request may run long).
    (bases[0] as WorkerProcess).retireAs = WorkerStatus.stopping;
    return true;
  }

  // ── introspection ──────────────────────────────────────────────────────────────────────

  workers(): ProcessState[] {
    const out: ProcessState[] = [];
    for (const w of this.#all) if (w.pid !== 0 && !w.dead) out.push(w.processState());
    return out;
  }

  stats(): PoolStats {
    let ready = 0;
    let working = 0;
    let invalid = 0;
    let total = 0;
    for (const w of this.#all) {
      if (w.dead) continue;
      total++;
      if (w.status === WorkerStatus.ready) ready++;
      else if (w.status === WorkerStatus.working) working++;
      else if (w.status !== WorkerStatus.inactive) invalid++;
    }
    return { queued: this.#queued, total, ready, working, invalid };
  }

  isReady(): boolean {
    if (this.#state !== State.Running) return false;
    if (this.#cfg.debug) return this.#bootFailures < this.#fatalAfter;
    const execTtl = this.#cfg.supervisor?.execTtl ?? 0;
    const now = performance.now();
    for (const w of this.#all) {
      if (w.dead || w.retiring) continue;
      if (w.status === WorkerStatus.ready) return true;
      // A busy worker will be freed unless it is stuck past exec_ttl (then it is being killed).
      if (w.status === WorkerStatus.working && (execTtl === 0 || now - w.execStartedAt < execTtl)) return true;
    }
    return false;
  }
}

/** RoadRunner's defaults and caps applied to a resolved pool config. */
function resolveConfig(name: string, c: PoolConfig): Resolved {
  const invalid = (key: string, reason: string): RrError => poolErrors.INVALID_CONFIG(name, key, reason, { plugin: name });
  const ms = (key: string, value: number): number => {
    if (!Number.isFinite(value) || value < 0) throw invalid(key, `must be a duration ≥ 0, got ${value}`);
    return value === 0 ? DEFAULT_TIMEOUT_MS : value;
  };
  const debug = c.debug;
  const numWorkers = debug ? 0 : c.num_workers > 0 ? c.num_workers : availableParallelism();
  if (!Number.isInteger(numWorkers) || numWorkers > MAX_NUM_WORKERS) throw invalid('num_workers', `must be an integer ≤ ${MAX_NUM_WORKERS}, got ${numWorkers}`);
  let dynamic: Resolved['dynamic'];
  if (c.dynamic_allocator !== undefined && !debug) {
    const d = c.dynamic_allocator;
    const maxWorkers = d.max_workers > 0 ? d.max_workers : 10;
    if (numWorkers + maxWorkers > MAX_TOTAL_WORKERS) throw invalid('dynamic_allocator.max_workers', `num_workers + max_workers must be ≤ ${MAX_TOTAL_WORKERS}`);
    dynamic = {
      maxWorkers,
      spawnRate: Math.min(d.spawn_rate > 0 ? d.spawn_rate : 5, 100),
      idleTimeout: ms('dynamic_allocator.idle_timeout', d.idle_timeout),
    };
  }
  let supervisor: Resolved['supervisor'];
  if (c.supervisor !== undefined) {
    const s = c.supervisor;
    supervisor = {
      watchTick: s.watch_tick > 0 ? s.watch_tick : 5000,
      ttl: s.ttl,
      idleTtl: s.idle_ttl,
      maxMemory: s.max_worker_memory,
      execTtl: s.exec_ttl,
    };
  }
  return {
    numWorkers,
    maxJobs: debug ? 1 : c.max_jobs,
    allocateTimeout: ms('allocate_timeout', c.allocate_timeout),
    resetTimeout: ms('reset_timeout', c.reset_timeout),
    destroyTimeout: ms('destroy_timeout', c.destroy_timeout),
    streamTimeout: ms('stream_timeout', c.stream_timeout),
    maxQueueSize: debug ? 0 : c.max_queue_size,
    debug,
    dynamic,
    supervisor,
  };
}

/** The address workers connect to: a wildcard listen address is reached over loopback (PHP cannot parse `tcp://:port`). */
function workerAddress(address: string): string {
  const dsn = parseDsn(address);
  if (dsn.kind === 'tcp' && (dsn.host === '' || dsn.host === '0.0.0.0' || dsn.host === '::')) return formatDsn({ ...dsn, host: '127.0.0.1' });
  return address;
}
