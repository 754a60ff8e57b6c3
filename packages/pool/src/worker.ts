import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { isRrError, type RrError } from '@rr/errors';
import {
  CODEC_JSON,
  CONTROL,
  ERROR,
  FrameDecoder,
  PING,
  PONG,
  STOP,
  STREAM,
  SocketRelay,
  StreamRelay,
  encodeFrame,
  goridgeErrors,
  handshake,
  type Frame,
  type Relay,
  type RelayListener,
} from '@rr/goridge';
import { poolErrors } from './errors.js';
import { readLines } from './output.js';
import { readCpuPercent, readRss } from './proc.js';
import { ResponseStream, STREAM_HIGH_WATER, type StreamSource } from './stream.js';
import { WorkerStatus, type ExecResult, type PoolLogger, type ProcessState, type WorkerStatusName } from './types.js';

/** Server→worker soft stop (PROTOCOL §3.7). */
const STOP_CONTROL_FRAME = encodeFrame({ flags: CONTROL | CODEC_JSON, payload: Buffer.from('{"stop":true}') });
/** Stream cancel (PROTOCOL §3.10). */
const STOP_STREAM_FRAME = encodeFrame({ flags: 0, byte10: STOP });
/** Answer to PING (PROTOCOL §3.9). */
const PONG_FRAME = encodeFrame({ flags: 0, byte10: PONG });
/** The context of a worker-initiated stop (`$worker->stop()`, PROTOCOL §3.6), compared byte for byte. */
const STOP_CONTEXT = Buffer.from('{"stop":true}');

/** After the process exited, how long its relay may stay open (a grandchild holding stdout) before it is closed. */
const EXIT_GRACE_MS = 2000;
/** Boot output kept for the start-failure message. */
const BOOT_OUTPUT_LINES = 10;
/** stdout bytes kept during a pipes boot (goridge's error preview holds as many). */
const BOOT_STDOUT_BYTES = 256;

/** RoadRunner's `statusStr` for each state (`fsm.State.String()`; exec_ttl has no name there). */
const STATUS_NAMES: readonly string[] = (() => {
  const names: string[] = [];
  for (const [name, code] of Object.entries(WorkerStatus)) names[code] = name;
  names[WorkerStatus.execTTLReached] = 'undefined';
  return names;
})();

/** RoadRunner's name of a worker state ('undefined' for execTTLReached, as RoadRunner prints it). */
export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? 'undefined';
}

const enum Phase {
  Idle,
  /** Request sent, waiting for the first response frame. */
  First,
  /** Streamed response in progress. */
  Streaming,
  /** Stream cancelled: discarding frames until one without STREAM. */
  Draining,
}

/** How a worker process ended. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Settings of one worker process. */
export interface WorkerOptions {
  /** The owning plugin: log field `plugin` and error context. */
  name: string;
  /** argv; `command[0]` is the executable (no shell). */
  command: readonly string[];
  /** Full environment of the process. */
  env: Readonly<Record<string, string>>;
  cwd?: string | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  /** Socket relays: the listener the worker connects to. Absent: pipes (stdin/stdout). */
  listener?: RelayListener | undefined;
  logger: PoolLogger;
  /** Bound on connecting and the PID handshake (pool.allocate_timeout). */
  bootTimeoutMs: number;
  /** Hard per-request deadline, 0 = off (pool.supervisor.exec_ttl). For streams it bounds the wait for each chunk. */
  execTtlMs: number;
  /** Bound on draining a cancelled stream before the worker is killed (pool.stream_timeout). */
  streamTimeoutMs: number;
}

/** Callbacks through which a worker reports to its pool; all optional for standalone use. */
export interface WorkerHooks {
  /** The request finished (response, error frame, end of stream or drain); the worker can take another. */
  idle?(worker: WorkerProcess): void;
  /** The worker became unusable (exited, killed, broken relay) while it was not being stopped. */
  lost?(worker: WorkerProcess): void;
  /** The worker answered `{"stop":true}`: it wants to be replaced; the request is retried elsewhere. */
  invalid?(worker: WorkerProcess): void;
  /** The worker's status changed. */
  state?(worker: WorkerProcess): void;
}

/**
 * Thrown by {@link WorkerProcess.exec} when the request never reached the worker's application (the worker was
 * already dead, the frame could not be written, the worker asked to be replaced, or stdout garbage broke the
 * relay before any answer): the pool dispatches it again.
 *
 * @internal
 */
export class RetryRequest extends Error {
  constructor(readonly reason: RrError) {
    super(reason.message, { cause: reason });
    this.name = 'RetryRequest';
  }
}

/** Errors that mean "the worker's stdout is not a goridge stream" (PROTOCOL §1.6). */
function isStdoutError(err: RrError): boolean {
  return isRrError(err, goridgeErrors.STRAY_OUTPUT.code) || isRrError(err, goridgeErrors.FILE_NOT_FOUND.code);
}

function noop(): void {}

/**
 * One PHP worker process: spawn, relay (pipes or socket), PID handshake, request/response, streaming with
 * PING/PONG and STOP, soft stop and kill.
 *
 * @remarks
 * The process runs in its own process group (`detached`, RoadRunner's `IsolateProcess`): a terminal Ctrl-C does
 * not reach it, and a kill takes its children with it. stderr (and stdout on socket relays) is logged at info
 * level, one call per line, with fields `{pid, plugin}`.
 *
 * One request at a time. The worker listens to its relay for its whole life (no per-request listeners); a frame
 * that arrives while no request is in flight is a protocol violation and gets the worker killed.
 */
export class WorkerProcess implements StreamSource {
  /** OS process id (0 when the spawn itself failed). */
  readonly pid: number;
  /** Spawn time, Unix ms. */
  readonly createdAt: number;
  /** The command line, space-joined, as `informer.Workers` shows it. */
  readonly command: string;
  /** Requests completed (any answer, error frames included). */
  numExecs = 0;
  /** When the handshake completed, Unix ms (0 before). */
  readyAt = 0;
  /** When the last request finished, Unix ms (0 = never used). */
  lastUsed = 0;
  /** `performance.now()` when the current request was sent. */
  execStartedAt = 0;
  /** Settles when the process is gone. Never rejects. */
  readonly exited: Promise<WorkerExit>;

  // ── pool bookkeeping (the pool owns these fields) ──────────────────────────────────────────
  /** @internal 'base' workers count towards num_workers; 'dynamic' ones were added under load; 'debug' serve one request. */
  role: 'base' | 'dynamic' | 'debug' = 'base';
  /** @internal Leaving the pool: no longer counted as capacity, never handed a request. */
  retiring = false;
  /** @internal A soft limit was hit while busy: retire with this status after the current response. */
  retireAs: number | undefined;

  readonly #options: WorkerOptions;
  readonly #hooks: WorkerHooks;
  readonly #child: ChildProcess;
  readonly #fields: Record<string, unknown>;
  #status: number = WorkerStatus.inactive;
  #relay: Relay | undefined;
  #phase = Phase.Idle;
  #resolve: ((result: ExecResult) => void) | undefined;
  #reject: ((err: unknown) => void) | undefined;
  readonly #executor = (resolve: (result: ExecResult) => void, reject: (err: unknown) => void): void => {
    this.#resolve = resolve;
    this.#reject = reject;
  };
  #signal: AbortSignal | undefined;
  #stream: ResponseStream | undefined;
  #ttlTimer: NodeJS.Timeout | undefined;
  #drainTimer: NodeJS.Timeout | undefined;
  #exitTimer: NodeJS.Timeout | undefined;
  #stopTimer: NodeJS.Timeout | undefined;
  /** The output side failed (EPIPE): the frame in flight was not fully read, so the worker never saw it. */
  #writeFailed = false;
  #booted = false;
  #lost = false;
  #stopping = false;
  /** We killed it (exec_ttl, protocol error, timeouts): its exit is not news. */
  #killed = false;
  #exit: WorkerExit | undefined;
  #spawnError: Error | undefined;
  #bootOutput: string[] | undefined = [];
  /** Pipes: the first stdout bytes seen before the handshake completed. */
  #bootStdout: Buffer[] = [];
  #bootStdoutSize = 0;
  #resolveExited!: (exit: WorkerExit) => void;
  /** Settles once the process is gone and its output pipes are closed (so its last words were logged). */
  readonly #closed: Promise<void>;
  #resolveClosed!: () => void;

  /**
   * Spawns the process at once; call {@link boot} to connect and handshake.
   */
  constructor(options: WorkerOptions, hooks: WorkerHooks = {}) {
    this.#options = options;
    this.#hooks = hooks;
    this.command = options.command.join(' ');
    this.createdAt = Date.now();
    this.exited = new Promise<WorkerExit>((resolve) => {
      this.#resolveExited = resolve;
    });
    this.#closed = new Promise<void>((resolve) => {
      this.#resolveClosed = resolve;
    });
    const pipes = options.listener === undefined;
    const [file = '', ...args] = options.command;
    this.#child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      detached: true,
      // On socket relays stdout is free for the application; it is logged like stderr.
      stdio: [pipes ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.pid = this.#child.pid ?? 0;
    this.#fields = { pid: this.pid, plugin: options.name };
    this.#child.on('error', this.#onSpawnError);
    this.#child.on('exit', this.#onExit);
    // 'exit' never fires when the spawn failed; 'close' always does.
    this.#child.on('close', this.#onClose);
    readLines(this.#child.stderr!, this.#onOutputLine);
    if (pipes) {
      this.#child.stdin!.on('error', this.#onWriteError);
      this.#child.stdout!.on('data', this.#onBootStdout);
      this.#attach(new StreamRelay(this.#child.stdout!, this.#child.stdin!));
    } else {
      readLines(this.#child.stdout!, this.#onOutputLine);
    }
  }

  /** The worker's state, {@link WorkerStatus}. */
  get status(): number {
    return this.#status;
  }

  set status(status: number) {
    if (status === this.#status) return;
    this.#status = status;
    this.#hooks.state?.(this);
  }

  /** RoadRunner's name of {@link status}. */
  get statusName(): WorkerStatusName | 'undefined' {
    return statusName(this.#status) as WorkerStatusName | 'undefined';
  }

  /** True once the worker is unusable (exited, killed, broken relay). */
  get dead(): boolean {
    return this.#lost || this.#exit !== undefined;
  }

  /** True when the pool killed it (exec_ttl, protocol error, timeouts) rather than it dying on its own. */
  get killedByPool(): boolean {
    return this.#killed;
  }

  /** True while a request (or the drain of a cancelled stream) occupies the worker. */
  get busy(): boolean {
    return this.#phase !== Phase.Idle;
  }

  /** How the process ended, once it did. */
  get exitInfo(): WorkerExit | undefined {
    return this.#exit;
  }

  /** Resident memory in bytes (0 when unknown). */
  memoryUsage(): number {
    return this.dead || this.pid === 0 ? 0 : readRss(this.pid);
  }

  /** The worker as `informer.Workers` reports it. */
  processState(): ProcessState {
    const alive = !this.dead && this.pid !== 0;
    return {
      pid: this.pid,
      status: this.#status,
      statusStr: statusName(this.#status),
      numExecs: this.numExecs,
      created: this.createdAt * 1_000_000,
      memoryUsage: alive ? readRss(this.pid) : 0,
      CPUPercent: alive ? readCpuPercent(this.pid, Date.now() - this.createdAt) : 0,
      command: this.command,
    };
  }

  /**
   * Connects (socket relays) and runs the PID handshake, bounded by `bootTimeoutMs`. Resolves with the worker
   * ready; on failure the process is killed.
   *
   * @throws RR_ERR_POOL_WORKER_START_FAILED with the goridge error as `cause` (e.g. RR_ERR_GORIDGE_FILE_NOT_FOUND
   * for "Could not open input file", RR_ERR_GORIDGE_STRAY_OUTPUT, RR_ERR_GORIDGE_HANDSHAKE_TIMEOUT).
   */
  async boot(): Promise<void> {
    const started = performance.now();
    try {
      if (this.#options.listener === undefined) {
        await handshake(this.#relay as Relay, process.pid, this.#options.bootTimeoutMs);
      } else {
        this.#attach(await this.#connect(this.#options.listener));
      }
      if (this.#stopping) throw new Error('stopped while starting');
      if (this.dead) throw new Error(this.#exitText());
    } catch (err) {
      this.#killed = true;
      this.#killGroup();
      // The exit status and the last output lines make the error message; they follow the kill within ms.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 1000)))]);
      clearTimeout(timer);
      this.#child.stdout?.off('data', this.#onBootStdout);
      const cause = this.#spawnError ?? this.#stdoutDiagnosis(err) ?? err;
      const reason = this.#describeBootFailure(cause);
      this.#bootOutput = undefined;
      throw poolErrors.WORKER_START_FAILED(this.#options.name, reason, { cause, plugin: this.#options.name, details: { pid: this.pid } });
    }
    this.#bootOutput = undefined;
    this.#child.stdout?.off('data', this.#onBootStdout);
    this.#bootStdout = [];
    this.#booted = true;
    this.readyAt = Date.now();
    this.status = WorkerStatus.ready;
    this.#options.logger.debug('worker started', { ...this.#fields, boot_ms: Math.round(performance.now() - started) });
  }

  /**
   * Sends one encoded request frame and resolves with the answer.
   *
   * @throws RetryRequest (internal) when the request provably never reached the worker's application.
   * @throws RR_ERR_POOL_WORKER_ERROR, RR_ERR_POOL_WORKER_CRASHED, RR_ERR_POOL_EXEC_TTL, RR_ERR_POOL_BAD_RESPONSE,
   * RR_ERR_POOL_KILLED.
   */
  exec(frame: Uint8Array, signal?: AbortSignal): Promise<ExecResult> {
    const relay = this.#relay;
    if (this.#phase !== Phase.Idle || !this.#booted || this.#stopping) {
      return Promise.reject(new RetryRequest(poolErrors.WORKER_CRASHED(this.#options.name, this.pid, 'the worker is not available')));
    }
    if (this.dead || relay === undefined || relay.closed || this.#writeFailed) {
      return Promise.reject(new RetryRequest(poolErrors.WORKER_CRASHED(this.#options.name, this.pid, this.#exitText())));
    }
    this.status = WorkerStatus.working;
    this.#phase = Phase.First;
    this.#signal = signal;
    this.execStartedAt = performance.now();
    const promise = new Promise<ExecResult>(this.#executor);
    if (this.#options.execTtlMs > 0) this.#ttlTimer = setTimeout(this.#onExecTtl, this.#options.execTtlMs);
    relay.send(frame).catch(noop);
    return promise;
  }

  /**
   * Soft stop: sends `{"stop":true}` and waits for the exit; kills the process group after `timeoutMs`.
   *
   * @param status the state shown meanwhile (the retire reason, e.g. ttlReached); default `stopping`.
   */
  stop(timeoutMs: number, status: number = WorkerStatus.stopping): Promise<WorkerExit> {
    if (this.#stopping) return this.exited;
    this.#stopping = true;
    if (this.#exit !== undefined) return this.exited;
    this.status = status;
    const relay = this.#relay;
    if (relay !== undefined && !relay.closed && !this.#writeFailed) {
      relay.send(STOP_CONTROL_FRAME).catch(noop);
      this.#stopTimer = setTimeout(() => {
        this.#options.logger.warn('worker did not stop in time, killing it', { ...this.#fields, timeout_ms: timeoutMs });
        this.#killed = true;
        this.#killGroup();
      }, timeoutMs);
    } else {
      this.#killed = true;
      this.#killGroup();
    }
    return this.exited;
  }

  /**
   * Kills the process group (SIGKILL). A request in flight fails with RR_ERR_POOL_KILLED (`why` says why).
   */
  kill(why = 'killed by the pool'): void {
    if (this.#phase === Phase.First || this.#phase === Phase.Streaming) {
      this.#failExec(poolErrors.KILLED(this.#options.name, this.pid, why, { plugin: this.#options.name, details: { pid: this.pid } }));
    }
    this.#terminate();
  }

  // ── StreamSource ─────────────────────────────────────────────────────────────────────────

  /** @internal The consumer stopped early: STOP, then discard frames until the last one. */
  cancelStream(stream: ResponseStream): void {
    if (this.#stream !== stream || this.#phase !== Phase.Streaming) return;
    this.#phase = Phase.Draining;
    this.#stream = undefined;
    clearTimeout(this.#ttlTimer);
    this.#ttlTimer = undefined;
    this.#relay?.send(STOP_STREAM_FRAME).catch(noop);
    this.#drainTimer = setTimeout(this.#onDrainTimeout, this.#options.streamTimeoutMs);
    if (stream.paused) {
      stream.paused = false;
      this.#relay?.on('frame', this.#onFrame);
    }
  }

  /** @internal The consumer caught up with a paused stream. */
  resumeStream(stream: ResponseStream): void {
    if (this.#stream !== stream || !stream.paused) return;
    stream.paused = false;
    this.#armTtl();
    this.#relay?.on('frame', this.#onFrame);
  }

  // ── relay ────────────────────────────────────────────────────────────────────────────────

  #attach(relay: Relay): void {
    this.#relay = relay;
    relay.on('close', this.#onRelayClose);
    relay.on('frame', this.#onFrame);
    // Registered ahead of the relay's own listener, so the flag is set before the relay reports the close.
    if (relay instanceof SocketRelay) relay.socket.prependListener('error', this.#onWriteError);
  }

  /** Socket relays: the worker connects to the listener and reports its PID; an early exit fails at once. */
  #connect(listener: RelayListener): Promise<SocketRelay> {
    if (this.pid === 0) return Promise.reject(new Error(this.#exitText()));
    return new Promise<SocketRelay>((resolve, reject) => {
      let settled = false;
      listener.waitForPid(this.pid, this.#options.bootTimeoutMs).then(
        (relay) => {
          if (settled) {
            void relay.close();
            return;
          }
          settled = true;
          resolve(relay);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          reject(err);
        },
      );
      void this.exited.then(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`${this.#exitText()} before connecting to ${listener.address}`));
      });
    });
  }

  readonly #onFrame = (frame: Frame): void => {
    switch (this.#phase) {
      case Phase.First:
        this.#onFirstFrame(frame);
        return;
      case Phase.Streaming:
        this.#onStreamFrame(frame);
        return;
      case Phase.Draining:
        if ((frame.byte10 & PING) !== 0) this.#relay?.send(PONG_FRAME).catch(noop);
        if ((frame.byte10 & STREAM) === 0) {
          clearTimeout(this.#drainTimer);
          this.#drainTimer = undefined;
          this.#finish();
        }
        return;
      default:
        // The PID handshake reply arrives through receive(), before this listener matters; anything else is a desync.
        if (!this.#booted) return;
        this.#protocolError('a frame arrived while no request was in flight', frame);
    }
  };

  #onFirstFrame(frame: Frame): void {
    const flags = frame.flags;
    if ((frame.byte10 & PING) !== 0) this.#relay?.send(PONG_FRAME).catch(noop);
    if ((flags & ERROR) !== 0) {
      const text = frame.payload.toString('utf8');
      const reject = this.#reject as (err: unknown) => void;
      this.#finish();
      reject(poolErrors.WORKER_ERROR(this.#options.name, this.pid, text, { plugin: this.#options.name, details: { pid: this.pid, error: text } }));
      return;
    }
    if (frame.options.length !== 1) {
      this.#protocolError(`options length should be equal 1 (body offset), got ${frame.options.length}`, frame);
      return;
    }
    const payload = frame.payload;
    const split = frame.options[0] as number;
    if (split > payload.length) {
      this.#protocolError(`bad payload: the context length ${split} exceeds the payload of ${payload.length} bytes`, frame);
      return;
    }
    const context = payload.subarray(0, split);
    const body = payload.subarray(split);
    if (body.length === 0 && split === STOP_CONTEXT.length && context.equals(STOP_CONTEXT)) {
      this.#askedToStop();
      return;
    }
    const resolve = this.#resolve as (result: ExecResult) => void;
    if ((frame.byte10 & STREAM) !== 0) {
      const stream = new ResponseStream(this, this.#signal, () => poolErrors.ABORTED(this.#options.name, { plugin: this.#options.name }));
      this.#stream = stream;
      this.#phase = Phase.Streaming;
      this.#resolve = undefined;
      this.#reject = undefined;
      this.#signal = undefined;
      this.#armTtl();
      resolve({ context, body, codec: flags, stream });
      return;
    }
    this.#finish();
    resolve({ context, body, codec: flags });
  }

  #onStreamFrame(frame: Frame): void {
    const stream = this.#stream as ResponseStream;
    if ((frame.byte10 & PING) !== 0) this.#relay?.send(PONG_FRAME).catch(noop);
    if ((frame.flags & ERROR) !== 0) {
      const text = frame.payload.toString('utf8');
      this.#stream = undefined;
      this.#finish();
      stream.fail(poolErrors.WORKER_ERROR(this.#options.name, this.pid, text, { plugin: this.#options.name, details: { pid: this.pid, error: text } }));
      return;
    }
    const split = frame.options[0];
    if (frame.options.length !== 1 || (split as number) > frame.payload.length) {
      this.#protocolError(`malformed stream chunk (options ${JSON.stringify(frame.options)}, ${frame.payload.length} payload bytes)`, frame);
      return;
    }
    const buffered = stream.push({ context: frame.payload.subarray(0, split), body: frame.payload.subarray(split), codec: frame.flags });
    if ((frame.byte10 & STREAM) === 0) {
      this.#stream = undefined;
      this.#finish();
      stream.end();
      return;
    }
    if (buffered >= STREAM_HIGH_WATER) {
      // Backpressure: without a 'frame' listener the relay holds frames and pauses reading the pipe/socket.
      stream.paused = true;
      clearTimeout(this.#ttlTimer);
      this.#ttlTimer = undefined;
      this.#relay?.off('frame', this.#onFrame);
      return;
    }
    this.#armTtl();
  }

  /** `{"stop":true}` with an empty body: the worker wants to be replaced and never handled the request. */
  #askedToStop(): void {
    const reject = this.#reject as (err: unknown) => void;
    this.#clearExec();
    this.status = WorkerStatus.invalid;
    this.#options.logger.debug('worker asked to be replaced, the request goes to another worker', this.#fields);
    reject(new RetryRequest(poolErrors.WORKER_CRASHED(this.#options.name, this.pid, 'the worker asked to be replaced')));
    this.#hooks.invalid?.(this);
  }

  /** A request is over and the worker can take another one. */
  #finish(): void {
    this.#clearExec();
    this.numExecs++;
    this.lastUsed = Date.now();
    this.#hooks.idle?.(this);
  }

  #clearExec(): void {
    this.#phase = Phase.Idle;
    this.#resolve = undefined;
    this.#reject = undefined;
    this.#signal = undefined;
    if (this.#ttlTimer !== undefined) {
      clearTimeout(this.#ttlTimer);
      this.#ttlTimer = undefined;
    }
  }

  #armTtl(): void {
    if (this.#options.execTtlMs <= 0) return;
    if (this.#ttlTimer === undefined) this.#ttlTimer = setTimeout(this.#onExecTtl, this.#options.execTtlMs);
    else this.#ttlTimer.refresh();
  }

  /** Fails the request or stream in flight with `err`; the worker takes no more frames. */
  #failExec(err: RrError): void {
    const reject = this.#reject;
    const stream = this.#stream;
    this.#stream = undefined;
    this.#clearExec();
    clearTimeout(this.#drainTimer);
    this.#drainTimer = undefined;
    if (reject !== undefined) reject(err);
    stream?.fail(err);
  }

  #protocolError(reason: string, frame: Frame): void {
    const err = poolErrors.BAD_RESPONSE(this.#options.name, this.pid, reason, {
      plugin: this.#options.name,
      details: { pid: this.pid, flags: frame.flags, byte10: frame.byte10, options: frame.options },
    });
    this.#options.logger.error('worker broke the protocol, replacing it', { ...this.#fields, error: err.message });
    this.status = WorkerStatus.errored;
    this.#failExec(err);
    this.#terminate();
  }

  readonly #onExecTtl = (): void => {
    this.#ttlTimer = undefined;
    if (this.#phase !== Phase.First && this.#phase !== Phase.Streaming) return;
    const ttl = this.#options.execTtlMs;
    this.#options.logger.warn('worker killed: exec_ttl reached', { ...this.#fields, exec_ttl_ms: ttl });
    this.status = WorkerStatus.execTTLReached;
    this.#failExec(poolErrors.EXEC_TTL(this.#options.name, this.pid, ttl, { plugin: this.#options.name, details: { pid: this.pid, execTtlMs: ttl } }));
    this.#terminate();
  };

  readonly #onDrainTimeout = (): void => {
    this.#drainTimer = undefined;
    if (this.#phase !== Phase.Draining) return;
    this.#options.logger.warn('worker did not end the cancelled stream within stream_timeout, killing it', {
      ...this.#fields,
      stream_timeout_ms: this.#options.streamTimeoutMs,
    });
    this.#phase = Phase.Idle;
    this.status = WorkerStatus.errored;
    this.#terminate();
  };

  readonly #onRelayClose = (err: RrError | undefined): void => {
    clearTimeout(this.#exitTimer);
    const stdout = err !== undefined && isStdoutError(err);
    if (err !== undefined && stdout) {
      this.#logStdoutError(err);
    } else if (err !== undefined && this.#booted && !this.#killed && !this.#stopping) {
      this.#options.logger.warn('worker relay failed', { ...this.#fields, code: err.code, error: err.message });
    }
    if (!this.#booted) return; // boot() reports it.
    const phase = this.#phase;
    if (phase === Phase.First && (stdout || this.#writeFailed)) {
      // The worker never produced an answer (garbage instead of a frame), or never got the whole request (EPIPE).
      const reject = this.#reject as (e: unknown) => void;
      this.#clearExec();
      reject(new RetryRequest(err ?? poolErrors.WORKER_CRASHED(this.#options.name, this.pid, 'the request could not be written')));
    } else if (phase === Phase.First || phase === Phase.Streaming) {
      const streaming = phase === Phase.Streaming;
      const reject = this.#reject;
      const stream = this.#stream;
      this.#stream = undefined;
      this.#clearExec();
      // Report with the exit status, which arrives right after (the process is killed if it still runs).
      void this.exited.then(() => {
        const e =
          err !== undefined && stdout && streaming
            ? poolErrors.BAD_RESPONSE(this.#options.name, this.pid, `stray output in the middle of a stream: ${err.message}`, {
                cause: err,
                plugin: this.#options.name,
                details: { pid: this.pid },
              })
            : poolErrors.WORKER_CRASHED(this.#options.name, this.pid, this.#exitText(), {
                cause: err,
                plugin: this.#options.name,
                details: { pid: this.pid, ...this.#exit },
              });
        if (reject !== undefined) reject(e);
        stream?.fail(e);
      });
    } else if (phase === Phase.Draining) {
      this.#clearExec();
      clearTimeout(this.#drainTimer);
    }
    if (this.#exit === undefined && (!this.#stopping || err !== undefined)) {
      this.#killed ||= err !== undefined;
      this.#killGroup();
    }
    if (this.status === WorkerStatus.ready || this.status === WorkerStatus.working) this.status = WorkerStatus.errored;
    this.#markLost();
  };

  /**
   * Only EPIPE proves the frame in flight was not delivered: the reader was gone when we wrote. A socket's
   * ECONNRESET may also come from the read side after the worker got the whole request, so it proves nothing.
   */
  /** Stray output and "Could not open input file" are logged with the offending bytes (RoadRunner's users asked for them). */
  #logStdoutError(err: RrError): void {
    const bytes = err.details['bytes'] as Buffer | undefined;
    this.#options.logger.error(
      isRrError(err, goridgeErrors.FILE_NOT_FOUND.code) ? 'worker could not open its script' : 'worker wrote to stdout, breaking the relay; replacing it',
      { ...this.#fields, code: err.code, error: err.message, output: bytes?.toString('utf8') ?? '', hint: err.hint },
    );
  }

  readonly #onWriteError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') this.#writeFailed = true;
  };

  // ── process ──────────────────────────────────────────────────────────────────────────────

  readonly #onOutputLine = (line: string): void => {
    const boot = this.#bootOutput;
    if (boot !== undefined) {
      boot.push(line);
      if (boot.length > BOOT_OUTPUT_LINES) boot.shift();
    }
    this.#options.logger.info(line, this.#fields);
  };

  readonly #onBootStdout = (chunk: Buffer): void => {
    if (this.#bootStdoutSize >= BOOT_STDOUT_BYTES) return;
    this.#bootStdout.push(chunk);
    this.#bootStdoutSize += chunk.length;
  };

  /**
   * A worker that prints "Could not open input file" (or anything) and exits makes our handshake write fail with
   * EPIPE; the relay may report that EPIPE before it has decoded the text. The bytes kept during boot still
   * tell the real story: decoded here, they give goridge's FILE_NOT_FOUND / STRAY_OUTPUT error (logged as such).
   */
  #stdoutDiagnosis(err: unknown): RrError | undefined {
    if (this.#bootStdoutSize === 0 || (isRrError(err) && isStdoutError(err))) return undefined;
    const bytes = Buffer.concat(this.#bootStdout).subarray(0, BOOT_STDOUT_BYTES);
    try {
      new FrameDecoder().push(bytes);
      return undefined; // well-formed frames: the output is not the problem
    } catch (decodeError) {
      const diagnosis = decodeError as RrError;
      if (!isStdoutError(diagnosis)) return undefined;
      this.#logStdoutError(diagnosis);
      return diagnosis;
    }
  }

  readonly #onSpawnError = (err: Error): void => {
    this.#spawnError ??= err;
    if (this.pid === 0) this.#onExit(null, null);
  };

  readonly #onClose = (): void => {
    if (this.#exit === undefined) this.#onExit(this.#child.exitCode, this.#child.signalCode);
    this.#resolveClosed();
  };

  readonly #onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (this.#exit !== undefined) return;
    this.#exit = { code, signal };
    clearTimeout(this.#stopTimer);
    const expected = this.#stopping || this.#killed || !this.#booted;
    const fields = { ...this.#fields, exit_code: code, signal };
    if (expected) this.#options.logger.debug('worker exited', fields);
    else this.#options.logger.warn('worker exited unexpectedly', fields);
    if (this.#stopping && !this.#killed) this.status = WorkerStatus.stopped;
    const relay = this.#relay;
    if (relay !== undefined && !relay.closed && this.#stream?.paused !== true) {
      // The relay closes on its own once the pipe drains (a last response may still be in it); a child of the
      // worker holding the pipe open must not keep it alive forever.
      this.#exitTimer = setTimeout(() => void relay.close(), EXIT_GRACE_MS);
      this.#exitTimer.unref();
    }
    if (relay === undefined || relay.closed) this.#markLost();
    this.#resolveExited(this.#exit);
  };

  #markLost(): void {
    if (this.#lost) return;
    this.#lost = true;
    if (this.#booted && !this.#stopping) this.#hooks.lost?.(this);
  }

  #terminate(): void {
    this.#killed = true;
    this.#killGroup();
    this.#markLost();
  }

  #killGroup(): void {
    if (this.pid === 0) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // No group (already reaped with no children left) or no permission: fall back to the process itself.
      if (this.#exit === undefined) this.#child.kill('SIGKILL');
    }
  }

  #exitText(): string {
    if (this.#spawnError !== undefined) return `the process could not be started: ${this.#spawnError.message}`;
    const exit = this.#exit;
    if (exit === undefined) return 'the worker closed its relay';
    if (exit.signal !== null) return `the worker was killed by ${exit.signal}`;
    return `the worker exited with code ${String(exit.code)}`;
  }

  #describeBootFailure(cause: unknown): string {
    let reason = cause instanceof Error ? cause.message : String(cause);
    if (isRrError(cause, goridgeErrors.RELAY_CLOSED.code) && this.#exit !== undefined) reason = this.#exitText();
    const output = this.#bootOutput ?? [];
    return output.length === 0 ? reason : `${reason}; output: ${output.join(' | ')}`;
  }
}
