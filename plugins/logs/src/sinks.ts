import { closeSync, openSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logsErrors } from './errors.js';
import { RotatingFile, type RotationOptions } from './rotating-file.js';

/** Anything lines can be written to (process.stderr, a PassThrough in tests). */
export interface LogStream {
  write(chunk: string): unknown;
  /** Colours are used only when this is true (and NO_COLOR is unset, TERM is not dumb). */
  readonly isTTY?: boolean | undefined;
}

/** The streams behind the `stderr` and `stdout` targets; default `process.stderr` / `process.stdout`. */
export interface LogStreams {
  stderr?: LogStream | undefined;
  stdout?: LogStream | undefined;
}

/** One opened output. `write` throws on an I/O failure; the caller reports it to `err_output`. */
export interface Sink {
  /** Whether colours may be written here. */
  readonly tty: boolean;
  write(text: string): void;
}

/** Reports a failure of the logger itself (to `err_output`). */
export type ErrorReporter = (message: string) => void;

class StreamSink implements Sink {
  constructor(
    private readonly stream: LogStream,
    readonly tty: boolean,
  ) {}

  write(text: string): void {
    this.stream.write(text);
  }
}

class FileSink implements Sink {
  readonly tty = false;
  #fd: number | undefined;

  constructor(fd: number) {
    this.#fd = fd;
  }

  write(text: string): void {
    // Synchronous like zap's: ordered, and nothing is lost when the process dies right after.
    if (this.#fd !== undefined) writeSync(this.#fd, text);
  }

  close(): void {
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }
}

class RotatingSink implements Sink {
  readonly tty = false;
  constructor(readonly file: RotatingFile) {}
  write(text: string): void {
    this.file.write(text);
  }
}

/**
 * Opens outputs once per logger tree: a path named by several channels shares one descriptor, so
 * lines never interleave mid-line and rotation sees every byte.
 */
export class SinkRegistry {
  readonly #sinks = new Map<string, Sink>();
  readonly #files: (FileSink | RotatingSink)[] = [];
  readonly #streams: { stderr: LogStream; stdout: LogStream };
  readonly #color: boolean;
  readonly #now: () => number;

  constructor(streams: LogStreams, env: Readonly<Record<string, string | undefined>>, now: () => number) {
    this.#streams = { stderr: streams.stderr ?? process.stderr, stdout: streams.stdout ?? process.stdout };
    // fatih/color's rule, which RoadRunner's coloured encoders follow, plus the NO_COLOR convention.
    this.#color = env.NO_COLOR === undefined && env.TERM !== 'dumb';
    this.#now = now;
  }

  /**
   * `stderr`, `stdout`, or a file path (or `file://` URL) opened for append.
   *
   * @param key the dotted config path, for the error.
   * @throws RR_ERR_LOGS_OUTPUT_UNOPENABLE when the file cannot be opened.
   */
  open(target: string, key: string): Sink {
    if (target === 'stderr' || target === 'stdout') {
      return this.#cached(target, () => {
        const stream = this.#streams[target];
        return new StreamSink(stream, this.#color && stream.isTTY === true);
      });
    }
    const path = toPath(target);
    return this.#cached(`file:${path}`, () => {
      let fd: number;
      try {
        fd = openSync(path, 'a');
      } catch (err) {
        throw logsErrors.OUTPUT_UNOPENABLE(key, target, (err as Error).message, { cause: err, details: { path: key, target } });
      }
      const sink = new FileSink(fd);
      this.#files.push(sink);
      return sink;
    });
  }

  /**
   * A size-rotated file (`file_logger_options`).
   *
   * @throws RR_ERR_LOGS_OUTPUT_UNOPENABLE when the file cannot be opened.
   */
  rotating(options: Omit<RotationOptions, 'path' | 'now'> & { path: string }, key: string, report: ErrorReporter): Sink {
    const path = toPath(options.path);
    return this.#cached(`rotate:${path}`, () => {
      let file: RotatingFile;
      try {
        file = new RotatingFile({ ...options, path, now: this.#now }, report);
      } catch (err) {
        throw logsErrors.OUTPUT_UNOPENABLE(key, options.path, (err as Error).message, { cause: err, details: { path: key, target: options.path } });
      }
      const sink = new RotatingSink(file);
      this.#files.push(sink);
      return sink;
    });
  }

  /** Closes every file (streams stay open: they belong to the process). Lines written afterwards to a file are dropped. */
  async close(): Promise<void> {
    const files = this.#files.splice(0);
    for (const sink of files) if (sink instanceof FileSink) sink.close();
    await Promise.all(files.map((sink) => (sink instanceof RotatingSink ? sink.file.close() : undefined)));
  }

  #cached(key: string, make: () => Sink): Sink {
    let sink = this.#sinks.get(key);
    if (sink === undefined) {
      sink = make();
      this.#sinks.set(key, sink);
    }
    return sink;
  }
}

function toPath(target: string): string {
  return resolve(target.startsWith('file://') ? fileURLToPath(target) : target);
}
