import type { LogFields, Logger } from '@rr/contracts';
import { issuesFromZod } from '@rr/config';
import { logsConfigSchema, type LogLevelName, type LogsChannelConfig, type LogsConfig } from './config.js';
import { logsErrors, logsWarnings } from './errors.js';
import { LEVEL, lineEncoder, type LineEncoder, type LineFormat, type LineLevel } from './format.js';
import { SinkRegistry, type LogStreams, type Sink } from './sinks.js';

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** The streams behind `stderr`/`stdout` (tests inject their own). @default process.stderr / process.stdout */
  streams?: LogStreams | undefined;
  /** The channel of the root logger's own lines. @default 'rr' */
  name?: string | undefined;
  /** Read for NO_COLOR and TERM=dumb. @default process.env */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Clock in epoch milliseconds (tests). @default Date.now */
  now?: (() => number) | undefined;
}

/** The root logger: every channel hangs off it, and `close()` releases its files. */
export interface RootLogger extends Logger {
  /** Closes every file output (after pending rotation housekeeping); stream outputs stay usable. */
  close(): Promise<void>;
}

/**
 * Builds a logger from a raw `logs` section, as the logs plugin does. The `rr` binary uses it before the
 * kernel starts, so configuration errors are reported in the configured format.
 *
 * @param config the `logs` section as written (`undefined` or `{}` for the defaults).
 * @throws RR_ERR_LOGS_CONFIG_INVALID (`details.issues`: `{ path, code, message }` with `logs.`-dotted paths)
 * @throws RR_ERR_LOGS_OUTPUT_UNOPENABLE an output file cannot be opened (`details.path` is the config key).
 *
 * @example
 * const logger = createLogger(loaded.sections.logs);
 * logger.named('rr').error('cannot start', { error: err });
 */
export function createLogger(config: unknown = {}, options: CreateLoggerOptions = {}): RootLogger {
  const parsed = logsConfigSchema.safeParse(config ?? {});
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error, 'logs');
    throw logsErrors.CONFIG_INVALID(issues.map((i) => `  ${i.path}: ${i.message} (${i.code})`).join('\n'), { details: { issues } });
  }
  return buildLogger(parsed.data, options);
}

const KNOWN_MODES = new Set(['development', 'production', 'raw', 'off', 'none']);
const OFF = Number.POSITIVE_INFINITY;

/** Everything one channel's lines need, resolved once. */
interface Core {
  /** Lowest level written; `OFF` discards everything, `raw()` included. */
  readonly threshold: number;
  readonly format: LineFormat;
  readonly lineEnding: string;
  write(text: (color: boolean) => string): void;
}

/** A resolved `logs` section, or a channel with the top-level keys filled in. */
type Effective = Omit<LogsConfig, 'channels' | 'mode'> & { mode: string };

/**
 * Builds the logger tree from a validated `logs` section: one core for the top level and one per
 * configured channel, all outputs opened now so a bad path fails at init.
 *
 * @throws RR_ERR_LOGS_OUTPUT_UNOPENABLE
 * @internal the plugin and createLogger use it
 */
export function buildLogger(config: LogsConfig, options: CreateLoggerOptions = {}): RootLogger {
  const now = options.now ?? Date.now;
  const registry = new SinkRegistry(options.streams ?? {}, options.env ?? process.env, now);
  const warnings: { path: string; mode: string }[] = [];
  try {
    const makeCore = (effective: Effective, paths: Paths): Core => {
      let mode = effective.mode;
      if (!KNOWN_MODES.has(mode)) {
        warnings.push({ path: paths.mode, mode });
        mode = 'development';
      }
      if (mode === 'off' || mode === 'none') return offCore;
      return openCore(registry, effective, mode, paths, now);
    };
    const rootCore = makeCore(config, rootPaths);
    const channelCores = new Map<string, Core>();
    for (const [name, channel] of Object.entries(config.channels)) {
      channelCores.set(name, makeCore(inherit(config, channel), channelPaths(name, channel)));
    }
    const tree = new LoggerTree(rootCore, channelCores, now, registry);
    const root = tree.root(options.name ?? 'rr');
    for (const w of warnings) {
      root.named('logs').warn(`unknown logs mode '${w.mode}', using development`, { code: logsWarnings.UNKNOWN_MODE, mode: w.mode, path: w.path });
    }
    return root;
  } catch (err) {
    void registry.close();
    throw err;
  }
}

/** A channel's config: its own keys, the top level's for the rest. */
function inherit(root: LogsConfig, channel: LogsChannelConfig): Effective {
  const { channels: _channels, ...base } = root;
  const own = Object.fromEntries(Object.entries(channel).filter(([, v]) => v !== undefined)) as Partial<Effective>;
  // A channel that names its own outputs means them, not the top level's rotating file (which would win).
  if (own.output !== undefined && own.file_logger_options === undefined) return { ...base, file_logger_options: undefined, ...own };
  return { ...base, ...own };
}

/** The config keys errors and warnings point at. */
interface Paths {
  mode: string;
  output: string;
  err_output: string;
  file: string;
}
const rootPaths: Paths = { mode: 'logs.mode', output: 'logs.output', err_output: 'logs.err_output', file: 'logs.file_logger_options.log_output' };

function channelPaths(name: string, channel: LogsChannelConfig): Paths {
  const at = (key: keyof LogsChannelConfig, sub = '') =>
    channel[key] === undefined ? `logs.${key}${sub}` : `logs.channels.${name}.${key}${sub}`;
  return { mode: at('mode'), output: at('output'), err_output: at('err_output'), file: at('file_logger_options', '.log_output') };
}

const offCore: Core = { threshold: OFF, format: 'raw', lineEnding: '', write: () => undefined };

function openCore(registry: SinkRegistry, c: Effective, mode: string, paths: Paths, now: () => number): Core {
  const format: LineFormat = mode === 'raw' ? 'raw' : (c.encoding ?? (mode === 'production' ? 'json' : 'console'));
  const level: LogLevelName = c.level ?? (mode === 'development' ? 'debug' : 'info');
  const errSinks = c.err_output.map((target, i) => registry.open(target, `${paths.err_output}[${i}]`));
  const report = (message: string): void => {
    const text = `${new Date(now()).toISOString()}\tlogs: ${message}\n`;
    for (const sink of errSinks) {
      try {
        sink.write(text);
      } catch {
        // Nowhere left to report to.
      }
    }
  };
  const fl = c.file_logger_options;
  const sinks: { sink: Sink; target: string }[] =
    fl === undefined
      ? c.output.map((target, i) => ({ sink: registry.open(target, `${paths.output}[${i}]`), target }))
      : [{ sink: registry.rotating({ ...fl, path: fl.log_output }, paths.file, report), target: fl.log_output }];
  return {
    threshold: LEVEL[level],
    format,
    lineEnding: c.line_ending,
    write(text) {
      let plain: string | undefined;
      let colored: string | undefined;
      for (const { sink, target } of sinks) {
        try {
          sink.write(sink.tty ? (colored ??= text(true)) : (plain ??= text(false)));
        } catch (err) {
          report(`cannot write to ${target}: ${(err as Error).message}`);
        }
      }
    },
  };
}

class LoggerTree {
  readonly #cache = new Map<string, ChannelLogger>();

  constructor(
    private readonly rootCore: Core,
    private readonly channelCores: ReadonlyMap<string, Core>,
    readonly now: () => number,
    private readonly registry: SinkRegistry,
  ) {}

  root(name: string): RootLogger {
    const core = this.channelCores.get(name) ?? this.rootCore;
    const root = new RootChannelLogger(this, name, core, lineEncoder(core.format, name, core.lineEnding), undefined, this.registry);
    this.#cache.set(name, root);
    return root;
  }

  named(name: string, base: LogFields | undefined): Logger {
    if (base === undefined) {
      const cached = this.#cache.get(name);
      if (cached !== undefined) return cached;
    }
    const core = this.channelCores.get(name) ?? this.rootCore;
    const logger = new ChannelLogger(this, name, core, lineEncoder(core.format, name, core.lineEnding), base);
    if (base === undefined) this.#cache.set(name, logger);
    return logger;
  }
}

// Level checks come first in every method, so a disabled level costs one comparison: no field object,
// no timestamp, no string is built.
class ChannelLogger implements Logger {
  readonly #threshold: number;

  constructor(
    private readonly tree: LoggerTree,
    private readonly channel: string,
    private readonly core: Core,
    private readonly encode: LineEncoder,
    private readonly base: LogFields | undefined,
  ) {
    this.#threshold = core.threshold;
  }

  debug(message: string, fields?: LogFields): void {
    if (this.#threshold <= 0) this.#emit(0, message, fields);
  }

  info(message: string, fields?: LogFields): void {
    if (this.#threshold <= 1) this.#emit(1, message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    if (this.#threshold <= 2) this.#emit(2, message, fields);
  }

  error(message: string, fields?: LogFields): void {
    if (this.#threshold <= 3) this.#emit(3, message, fields);
  }

  raw(text: string): void {
    if (this.#threshold === OFF) return;
    this.core.write(() => text);
  }

  named(name: string): Logger {
    return this.tree.named(name, this.base);
  }

  with(fields: LogFields): Logger {
    return new ChannelLogger(this.tree, this.channel, this.core, this.encode, { ...this.base, ...fields });
  }

  #emit(level: LineLevel, message: string, fields: LogFields | undefined): void {
    const all = this.base === undefined ? fields : fields === undefined ? this.base : { ...this.base, ...fields };
    const nowMs = this.tree.now();
    this.core.write((color) => this.encode(level, message, all, nowMs, color));
  }
}

class RootChannelLogger extends ChannelLogger implements RootLogger {
  constructor(tree: LoggerTree, channel: string, core: Core, encode: LineEncoder, base: LogFields | undefined, private readonly registry: SinkRegistry) {
    super(tree, channel, core, encode, base);
  }

  close(): Promise<void> {
    return this.registry.close();
  }
}
