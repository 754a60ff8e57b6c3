import { asFunction, asValue, createContainer, Lifetime, type AwilixContainer } from 'awilix';
import { isRrError, type RrError } from '@rr/errors';
import { coreConfigRef, coreKernelRef, type CoreConfig, type DistributionInfo, type KernelInfo, type PluginReport, type PluginState } from './core-refs.js';
import { DISABLED, type Disabled, type InitContext, type ManyRefs, type OneRefs, type Plugin, type PluginHooks, type Refs, type StopContext } from './define-plugin.js';
import { Emitter, type KernelEvents, type KernelListener } from './emitter.js';
import { internalError, kernelErrors, kernelWarnings, startupError, stopError, summarize } from './errors.js';
import { buildGraph, CORE_PREFIX, registerPlugins, serveOrder, stopLevels, type Graph, type Input, type PluginNode } from './graph.js';
import { cloneData, deepFreeze, lookup, validateSection, type ConfigIssue } from './sections.js';
import { KERNEL_VERSION } from './version.js';

/** Where the kernel logs. The kernel has no default sink: it never writes to the console or the process. */
export interface KernelLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What `createKernel` takes. */
export interface KernelOptions {
  /** The bill of materials, in registration order (which breaks init-order ties). */
  readonly plugins: readonly Plugin[];
  /** The loaded configuration: the file's `version` and its top-level sections. */
  readonly config: { readonly version: string; readonly sections: Readonly<Record<string, unknown>> };
  /** Each plugin's stop deadline, in ms. @default 30000 */
  readonly stopTimeoutMs?: number | undefined;
  /** @default a logger that drops everything */
  readonly logger?: KernelLogger | undefined;
  /** The binary this kernel runs in, for plugins that report it. @default `{ name: 'rr', version: KERNEL_VERSION }` */
  readonly distribution?: DistributionInfo | undefined;
  /** Top-level keys owned by someone other than a plugin (the CLI's `endure`, `kernel`, `include`); never warned about. */
  readonly ignoreSections?: readonly string[] | undefined;
}

/** Where the kernel as a whole is in its life. */
export type KernelState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** A running set of plugins. */
export interface Kernel {
  /** The plugin-contract version (`KERNEL_VERSION`). */
  readonly version: string;
  /** Where the kernel is: idle → starting → running → stopping → stopped. */
  readonly state: KernelState;
  /**
   * Settles once the kernel has stopped: resolves after a requested stop; rejects with the error
   * `start()` rejected with, or with `RR_ERR_KERNEL_SERVE_FAILED` when a plugin failed while serving.
   * The app exits 1 on rejection.
   */
  readonly done: Promise<void>;
  /**
   * Registers, orders, validates, enables, inits and serves every plugin; resolves when every serve()
   * resolved (and emits `ready`). Memoised. On failure, every plugin that had initialised is stopped
   * first, then the promise rejects with the one error, or `RR_ERR_KERNEL_STARTUP` listing several.
   *
   * @throws RR_ERR_KERNEL_INVALID_PLUGIN_ID, _INVALID_PLUGIN, _DUPLICATE_PLUGIN, _VERSION_MISMATCH,
   * _MISSING_PROVIDER, _DUPLICATE_PROVIDER, _CYCLE, _CONFIG_INVALID, _NEED_DISABLED, _INIT_FAILED,
   * _PROVIDES_MISMATCH, _SERVE_FAILED, _STOP_FAILED, _STOP_TIMEOUT, _START_ABORTED, _STARTUP, _INVALID_STATE
   */
  start(): Promise<void>;
  /**
   * Stops every initialised plugin in exact reverse serve order, level by level, each within its
   * deadline. Idempotent: every call returns the same promise.
   *
   * @throws RR_ERR_KERNEL_STOP_FAILED listing each plugin's `RR_ERR_KERNEL_STOP_FAILED` or `RR_ERR_KERNEL_STOP_TIMEOUT`
   */
  stop(): Promise<void>;
  /** Every plugin with its state, in registration order; disabled ones carry their reason. */
  report(): PluginReport[];
  /** Subscribes to a kernel event; returns the unsubscribe function. */
  on<E extends keyof KernelEvents>(event: E, listener: KernelListener<E>): () => void;
}

interface Entry {
  readonly node: PluginNode;
  state: PluginState;
  reason?: string;
  reasonChain?: string[];
  code?: string;
  /** Whether the plugin's own section is present (a disabled need is then an error, not a cascade). */
  sectionPresent: boolean;
  config?: unknown;
  scope?: AwilixContainer;
  instance?: PluginHooks;
  stopContext?: StopContext;
}

interface Blocked {
  readonly refId: string;
  readonly why: string;
  readonly chain: string[];
}

const silentLogger: KernelLogger = { debug() {}, info() {}, warn() {}, error() {} };
const noop = (): void => {};

function isRecord(value: unknown): value is Record<PropertyKey, unknown> {
  return typeof value === 'object' && value !== null;
}

function checkOptions(options: KernelOptions): void {
  const timeout = options.stopTimeoutMs;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw kernelErrors.INVALID_OPTIONS(`stopTimeoutMs must be a positive number of milliseconds, got ${String(timeout)}`);
  }
  if (!Array.isArray(options.plugins)) throw kernelErrors.INVALID_OPTIONS('plugins must be an array');
  if (!isRecord(options.config) || !isRecord(options.config.sections)) throw kernelErrors.INVALID_OPTIONS('config.sections must be an object');
}

class KernelImpl implements Kernel {
  readonly version = KERNEL_VERSION;
  readonly done: Promise<void>;
  readonly #options: KernelOptions;
  readonly #timeoutMs: number;
  readonly #log: KernelLogger;
  readonly #events: Emitter;
  readonly #registry = createContainer({ strict: true });
  // Plugin scopes hang off an empty root so that a scope resolves only what the kernel put in it.
  readonly #root = createContainer({ strict: true });
  readonly #serveAbort = new AbortController();
  #state: KernelState = 'idle';
  #graph: Graph | undefined;
  #entries: Map<PluginNode, Entry> | undefined;
  #startPromise: Promise<void> | undefined;
  #stopPromise: Promise<void> | undefined;
  #shutdownPromise: Promise<RrError[]> | undefined;
  #stopRequested = false;
  #failure: RrError | undefined;
  #wake: () => void = noop;
  readonly #woken: Promise<'woken'>;
  #settle: (error: RrError | undefined) => void = noop;

  constructor(options: KernelOptions) {
    checkOptions(options);
    this.#options = options;
    this.#timeoutMs = options.stopTimeoutMs ?? 30_000;
    this.#log = options.logger ?? silentLogger;
    this.#events = new Emitter((event, err) => this.#log.error('kernel event listener threw', { event, error: summarize(err) }));
    this.#woken = new Promise((resolve) => {
      this.#wake = () => resolve('woken');
    });
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Nobody is obliged to await done; its rejection must not become an unhandled one.
    this.done.catch(noop);
  }

  get state(): KernelState {
    return this.#state;
  }

  on<E extends keyof KernelEvents>(event: E, listener: KernelListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  report(): PluginReport[] {
    if (this.#entries === undefined) {
      return this.#options.plugins.map((plugin) => ({ id: String((plugin as Partial<Plugin> | undefined)?.id), state: 'registered' }));
    }
    return [...this.#entries.values()].map((entry) => ({
      id: entry.node.id,
      state: entry.state,
      ...(entry.reason === undefined ? {} : { reason: entry.reason }),
      ...(entry.reasonChain === undefined ? {} : { reasonChain: [...entry.reasonChain] }),
      ...(entry.code === undefined ? {} : { code: entry.code }),
    }));
  }

  start(): Promise<void> {
    if (this.#startPromise !== undefined) return this.#startPromise;
    if (this.#state !== 'idle') return Promise.reject(kernelErrors.INVALID_STATE('start', this.#state));
    this.#state = 'starting';
    this.#startPromise = this.#run();
    return this.#startPromise;
  }

  stop(): Promise<void> {
    this.#stopPromise ??= (async () => {
      if (this.#state === 'idle') {
        this.#state = 'stopped';
        this.#settle(undefined);
        return;
      }
      if (this.#state === 'starting') {
        this.#interrupt();
        // The start flow notices at its next step, stops what it initialised and settles done.
        await this.#startPromise?.catch(noop);
      }
      const errors = await this.#shutdown();
      this.#settle(this.#failure);
      if (errors.length > 0) throw stopError(errors);
    })();
    return this.#stopPromise;
  }

  // ── start ─────────────────────────────────────────────────────────────

  async #run(): Promise<void> {
    try {
      await this.#prepare();
      this.#checkpoint();
      await this.#initAll();
      await this.#serveAll();
    } catch (err) {
      const error = isRrError(err) ? err : internalError(`start threw a foreign error (${summarize(err)})`, err);
      const stopErrors = await this.#shutdown();
      const final = startupError([error, ...stopErrors]);
      this.#log.error('rr failed to start', { code: final.code, error: final.message });
      this.#settle(final);
      throw final;
    }
    this.#state = 'running';
    this.#log.info('kernel ready', { plugins: this.report().filter((row) => row.state === 'serving').length });
    this.#events.emit('ready');
  }

  /** Throws when stop() or a plugin's fail() interrupted the start. */
  #checkpoint(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#stopRequested) throw kernelErrors.START_ABORTED();
  }

  #interrupt(): void {
    this.#stopRequested = true;
    this.#serveAbort.abort();
    this.#wake();
  }

  /** Register, graph, validate, enable: everything that can fail before any plugin runs. */
  async #prepare(): Promise<void> {
    const { nodes, errors } = registerPlugins(this.#options.plugins);
    if (errors.length > 0) throw startupError(errors);
    const graph = buildGraph(nodes);
    this.#graph = graph;
    this.#entries = new Map(nodes.map((node) => [node, { node, state: 'registered', sectionPresent: false }]));

    const sections = deepFreeze(cloneData({ ...this.#options.config.sections }));
    this.#warnUnknownSections(sections);
    const issues: ConfigIssue[] = [];
    for (const entry of this.#entries.values()) issues.push(...(await this.#validate(entry, sections)));
    const problems: RrError[] = [];
    if (issues.length > 0) {
      const summary = issues.map((issue) => `  ${issue.path}: ${issue.message} (${issue.code})`).join('\n');
      problems.push(kernelErrors.CONFIG_INVALID(summary, { details: { issues } }));
    }
    for (const node of graph.initOrder) {
      const problem = this.#enable(this.#entry(node));
      if (problem !== undefined) problems.push(problem);
    }
    if (problems.length > 0) throw startupError(problems);

    const coreConfig: CoreConfig = Object.freeze({
      version: this.#options.config.version,
      has: (key: string) => lookup(sections, key) !== undefined,
      section: (key: string) => lookup(sections, key),
      raw: () => sections,
    });
    const distribution = Object.freeze({ name: this.#options.distribution?.name ?? 'rr', version: this.#options.distribution?.version ?? KERNEL_VERSION });
    const kernelInfo: KernelInfo = Object.freeze({ version: KERNEL_VERSION, distribution, plugins: () => this.report() });
    this.#registry.register(coreConfigRef.id, asValue(coreConfig));
    this.#registry.register(coreKernelRef.id, asValue(kernelInfo));
  }

  #warnUnknownSections(sections: Readonly<Record<string, unknown>>): void {
    const owned = new Set(['version', ...(this.#options.ignoreSections ?? [])]);
    for (const entry of this.#entries?.values() ?? []) {
      const config = entry.node.plugin.config;
      if (config !== undefined) owned.add((config.key ?? entry.node.id).split('.')[0] as string);
    }
    for (const key of Object.keys(sections)) {
      if (owned.has(key)) continue;
      this.#log.warn(`config section '${key}' is not used by any plugin`, { code: kernelWarnings.UNKNOWN_SECTION, section: key });
    }
  }

  async #validate(entry: Entry, sections: Readonly<Record<string, unknown>>): Promise<ConfigIssue[]> {
    const config = entry.node.plugin.config;
    if (config === undefined) return [];
    const key = config.key ?? entry.node.id;
    const raw = lookup(sections, key);
    entry.sectionPresent = raw !== undefined;
    if (!entry.sectionPresent && config.whenAbsent !== 'defaults') return [];
    // Absent under whenAbsent 'defaults', or written with nothing under it (`kv:` reads as null): validate from {}.
    const result = await validateSection(key, config.schema, raw ?? {});
    if (!result.ok) return result.issues;
    entry.config = result.value;
    return [];
  }

  /** Decides enabled or disabled from config and providers; returns the error when a disabled need is fatal. */
  #enable(entry: Entry): RrError | undefined {
    const config = entry.node.plugin.config;
    if (config !== undefined && !entry.sectionPresent && config.whenAbsent !== 'defaults') {
      this.#disable(entry, `no '${config.key ?? entry.node.id}' section`);
      return undefined;
    }
    const fatal = this.#cascade(entry);
    if (fatal === undefined && entry.state !== 'disabled') this.#setState(entry, 'enabled');
    return fatal;
  }

  /**
   * Applies the disabled-need rule: with its own section present, a plugin whose needed provider is
   * disabled is an error (the user asked for it); otherwise it is disabled with the reason chain.
   */
  #cascade(entry: Entry): RrError | undefined {
    const blocked = this.#blockedNeed(entry);
    if (blocked === undefined) return undefined;
    const id = entry.node.id;
    if (entry.sectionPresent) {
      const error = kernelErrors.NEED_DISABLED(id, blocked.refId, blocked.why, { plugin: id, details: { ref: blocked.refId, reasonChain: blocked.chain } });
      this.#fail(entry, error);
      return error;
    }
    this.#disable(entry, `needs ${blocked.refId}; ${blocked.why}`, [`${id} needs ${blocked.refId}`, ...blocked.chain]);
    return undefined;
  }

  #blockedNeed(entry: Entry): Blocked | undefined {
    for (const input of entry.node.inputs) {
      if (input.field !== 'needs' || input.ref.id.startsWith(CORE_PREFIX)) continue;
      const providers = (this.#graph?.providers.get(input.ref.id) ?? []).map((node) => this.#entry(node));
      if (providers.some((provider) => provider.state !== 'disabled')) continue;
      const why =
        providers.length === 1
          ? `'${providers[0]?.node.id}' is disabled: ${providers[0]?.reason}`
          : `every provider is disabled: ${providers.map((p) => `'${p.node.id}' (${p.reason})`).join(', ')}`;
      return { refId: input.ref.id, why, chain: providers.flatMap((provider) => provider.reasonChain ?? []) };
    }
    return undefined;
  }

  #disable(entry: Entry, reason: string, chain: string[] = [`${entry.node.id}: ${reason}`]): void {
    entry.reason = reason;
    entry.reasonChain = chain;
    this.#setState(entry, 'disabled');
    this.#log.info('plugin disabled', { plugin: entry.node.id, reason });
  }

  #fail(entry: Entry, error: RrError): void {
    entry.code = error.code;
    entry.reason = error.message;
    this.#setState(entry, 'failed');
  }

  #setState(entry: Entry, state: PluginState): void {
    entry.state = state;
    this.#events.emit('state', { plugin: entry.node.id, state });
  }

  #entry(node: PluginNode): Entry {
    return this.#entries?.get(node) as Entry;
  }

  // ── init ──────────────────────────────────────────────────────────────

  async #initAll(): Promise<void> {
    for (const node of this.#graph?.initOrder ?? []) {
      const entry = this.#entry(node);
      if (entry.state === 'disabled') continue;
      // A provider may have disabled itself at init since the static pass.
      const fatal = this.#cascade(entry);
      if (fatal !== undefined) throw fatal;
      if ((entry.state as PluginState) === 'disabled') continue;
      await this.#init(entry);
      this.#checkpoint();
    }
  }

  async #init(entry: Entry): Promise<void> {
    const { node } = entry;
    const scope = this.#root.createScope();
    entry.scope = scope;
    for (const input of node.inputs) scope.register(`${input.field}.${input.key}`, asValue(this.#resolveInput(input)));
    const ctx = {
      id: node.id,
      config: entry.config,
      needs: this.#view(entry, 'needs', 'needs'),
      optional: this.#view(entry, 'optional', 'optional'),
      collected: this.#view(entry, 'collects', 'collected'),
      disable: (reason: string): Disabled =>
        Object.freeze({ [DISABLED]: true as const, reason: typeof reason === 'string' && reason !== '' ? reason : 'disabled by its init' }),
    } as InitContext<unknown, Refs, OneRefs, ManyRefs>;

    let result: unknown;
    try {
      result = await node.plugin.init(ctx);
    } catch (err) {
      const error = kernelErrors.INIT_FAILED(node.id, summarize(err), { plugin: node.id, cause: err });
      this.#fail(entry, error);
      throw error;
    }
    if (isRecord(result) && result[DISABLED] === true) {
      this.#disable(entry, (result as unknown as Disabled).reason);
      return;
    }
    const instance: PluginHooks & { provides?: unknown } = isRecord(result) ? result : {};
    entry.instance = instance;
    // The plugin's stop runs as its scope's disposer, so stopping a plugin is disposing its scope.
    scope.register(
      'instance',
      asFunction(() => instance, { lifetime: Lifetime.SCOPED }).disposer(async (hooks) => {
        if (typeof hooks.stop === 'function') await hooks.stop(entry.stopContext as StopContext);
      }),
    );
    scope.resolve('instance');
    this.#register(entry, instance.provides);
    this.#setState(entry, 'initialized');
    this.#log.debug('plugin initialized', { plugin: node.id });
  }

  /** Checks `provides` against the declaration, then registers each value in the registry container. */
  #register(entry: Entry, provides: unknown): void {
    const { node } = entry;
    const values = isRecord(provides) ? provides : {};
    const declared = node.outputs.map((output) => output.key);
    const missing = declared.filter((key) => values[key] === undefined);
    const unexpected = Object.keys(values).filter((key) => !declared.includes(key));
    if (missing.length > 0 || unexpected.length > 0) {
      const problem = [
        missing.length > 0 ? `missing ${missing.join(', ')}` : '',
        unexpected.length > 0 ? `undeclared ${unexpected.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      const error = kernelErrors.PROVIDES_MISMATCH(node.id, problem, { plugin: node.id, details: { missing, unexpected } });
      this.#fail(entry, error);
      throw error;
    }
    for (const { key, ref } of node.outputs) {
      this.#registry.register(ref.kind === 'one' ? ref.id : `${ref.id}#${node.id}`, asValue(values[key]));
    }
  }

  #resolveInput(input: Input): unknown {
    const { id, kind } = input.ref;
    if (id.startsWith(CORE_PREFIX)) return this.#registry.resolve(id, { allowUnregistered: true });
    const live = (this.#graph?.providers.get(id) ?? []).filter((node) => this.#entry(node).state === 'initialized');
    if (kind === 'one') return live.length === 0 ? undefined : this.#registry.resolve(id);
    return Object.freeze(live.map((node) => this.#registry.resolve(`${id}#${node.id}`)));
  }

  /**
   * What a plugin sees as `needs`, `optional` or `collected`: the values its scope resolves, behind a
   * guard that names an undeclared read instead of handing back `undefined`.
   */
  #view(entry: Entry, field: Input['field'], label: string): Record<string, unknown> {
    const scope = entry.scope as AwilixContainer;
    const keys = entry.node.inputs.filter((input) => input.field === field).map((input) => input.key);
    const values = Object.freeze(Object.fromEntries(keys.map((key) => [key, scope.resolve(`${field}.${key}`)])));
    return new Proxy(values, {
      get(target, key, receiver) {
        // `then` and `toJSON` are probed by await and JSON.stringify; they must read as absent.
        if (typeof key === 'string' && !(key in target) && key !== 'then' && key !== 'toJSON') {
          throw kernelErrors.UNDECLARED_REF(entry.node.id, label, key, { plugin: entry.node.id });
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }

  // ── serve ─────────────────────────────────────────────────────────────

  async #serveAll(): Promise<void> {
    const graph = this.#graph as Graph;
    const members = new Set([...this.#initialised()].map((entry) => entry.node));
    for (const node of serveOrder(graph, members)) {
      const entry = this.#entry(node);
      const serve = entry.instance?.serve;
      if (typeof serve === 'function') {
        const ctx = { fail: (err: unknown) => this.#onFail(entry, err), signal: this.#serveAbort.signal };
        const served = Promise.resolve().then(() => serve(ctx));
        served.catch(noop);
        try {
          // stop() or fail() during a serve that never resolves must still reach the ordered stop.
          await Promise.race([served, this.#woken]);
        } catch (err) {
          const error = kernelErrors.SERVE_FAILED(node.id, summarize(err), { plugin: node.id, cause: err });
          this.#fail(entry, error);
          throw error;
        }
        this.#checkpoint();
      }
      this.#setState(entry, 'serving');
      this.#log.debug('plugin serving', { plugin: node.id });
    }
  }

  #onFail(entry: Entry, err: unknown): void {
    const id = entry.node.id;
    if (this.#failure !== undefined || this.#state === 'stopping' || this.#state === 'stopped') {
      this.#log.warn('plugin reported a failure after shutdown began; ignored', { plugin: id, error: summarize(err) });
      return;
    }
    const error = kernelErrors.SERVE_FAILED(id, summarize(err), { plugin: id, cause: err });
    this.#failure = error;
    this.#fail(entry, error);
    this.#log.error('plugin failed while serving; stopping', { plugin: id, code: error.code, error: summarize(err) });
    this.#events.emit('failed', error);
    if (this.#state === 'starting') {
      this.#interrupt();
      return;
    }
    void this.#shutdown().then(() => this.#settle(error));
  }

  // ── stop ──────────────────────────────────────────────────────────────

  *#initialised(): Generator<Entry> {
    for (const entry of this.#entries?.values() ?? []) if (entry.instance !== undefined) yield entry;
  }

  /** The ordered stop of every initialised plugin; memoised; resolves with the per-plugin failures. */
  #shutdown(): Promise<RrError[]> {
    this.#shutdownPromise ??= (async () => {
      this.#state = 'stopping';
      this.#serveAbort.abort();
      this.#events.emit('stopping');
      const errors: RrError[] = [];
      const members = new Set([...this.#initialised()].map((entry) => entry.node));
      const levels = this.#graph === undefined ? [] : stopLevels(this.#graph, members);
      for (const level of levels) {
        const results = await Promise.all(level.map((node) => this.#stopOne(this.#entry(node))));
        for (const result of results) if (result !== undefined) errors.push(result);
      }
      await Promise.all([this.#registry.dispose(), this.#root.dispose()]);
      this.#state = 'stopped';
      this.#events.emit('stopped');
      return errors;
    })();
    return this.#shutdownPromise;
  }

  async #stopOne(entry: Entry): Promise<RrError | undefined> {
    const id = entry.node.id;
    if (entry.state !== 'failed') this.#setState(entry, 'stopping');
    const controller = new AbortController();
    entry.stopContext = { signal: controller.signal, deadline: Date.now() + this.#timeoutMs };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, this.#timeoutMs);
    });
    const disposed = (entry.scope as AwilixContainer).dispose().then(() => 'stopped' as const);
    disposed.catch(noop);
    try {
      if ((await Promise.race([disposed, timedOut])) === 'timeout') {
        const error = kernelErrors.STOP_TIMEOUT(id, this.#timeoutMs, { plugin: id, details: { timeoutMs: this.#timeoutMs } });
        this.#log.error('plugin stop timed out', { plugin: id, timeout_ms: this.#timeoutMs });
        this.#fail(entry, error);
        return error;
      }
      if (entry.state !== 'failed') this.#setState(entry, 'stopped');
      this.#log.debug('plugin stopped', { plugin: id });
      return undefined;
    } catch (err) {
      const error = kernelErrors.STOP_FAILED(`plugin '${id}'`, summarize(err), { plugin: id, cause: err });
      this.#log.error('plugin stop failed', { plugin: id, error: summarize(err) });
      this.#fail(entry, error);
      return error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Creates a kernel for a plugin list and a loaded configuration. Nothing runs until `start()`.
 *
 * @throws RR_ERR_KERNEL_INVALID_OPTIONS when stopTimeoutMs, plugins or config.sections is malformed
 *
 * @example
 * const kernel = createKernel({ plugins: [logsPlugin, kvPlugin], config: { version: '3', sections }, logger });
 * kernel.on('ready', () => logger.info('rr is ready'));
 * await kernel.start();
 * kernel.done.catch(() => setExitCode(1)); // the app, not the kernel, owns the process
 */
export function createKernel(options: KernelOptions): Kernel {
  return new KernelImpl(options);
}
