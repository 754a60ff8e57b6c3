import { z } from 'zod';
import { createKernel, definePlugin, ref, type Kernel, type KernelLogger, type KernelOptions, type Plugin, type Ref } from '../src/index.js';

/** A promise with its resolvers exposed, so tests wait on events rather than on time. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields?: Record<string, unknown> | undefined;
}

export function recordingLogger(): KernelLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A section schema that accepts any object (and fills nothing in). */
export const anySection = z.looseObject({});

/** A ref named after its owner, `<owner>.value`, carrying a string. */
export function valueRef(owner: string): Ref<string> {
  return ref<string>(`${owner}.value`);
}

export interface ProbeOptions {
  needs?: string[];
  optional?: string[];
  config?: 'section' | 'defaults' | 'none';
  trace?: string[];
}

/**
 * A plugin that provides `<id>.value` = id, needs `<other>.value` for each listed id and records
 * init/serve/stop in `trace`. Most graph scenarios are written with it.
 */
export function probe(id: string, options: ProbeOptions = {}): Plugin {
  const trace = options.trace ?? [];
  const needs = Object.fromEntries((options.needs ?? []).map((other) => [other, valueRef(other)]));
  const optional = Object.fromEntries((options.optional ?? []).map((other) => [other, valueRef(other)]));
  const mode = options.config ?? 'none';
  return definePlugin({
    id,
    kernel: '^1.0.0',
    ...(mode === 'none' ? {} : { config: { schema: anySection, whenAbsent: mode === 'defaults' ? 'defaults' : 'disable' } }),
    needs,
    optional,
    provides: { value: valueRef(id) },
    init() {
      trace.push(`init ${id}`);
      return {
        provides: { value: id },
        serve: () => {
          trace.push(`serve ${id}`);
        },
        stop: () => {
          trace.push(`stop ${id}`);
        },
      };
    },
  });
}

export function kernelWith(plugins: readonly Plugin[], sections: Record<string, unknown> = {}, extra: Partial<KernelOptions> = {}): Kernel {
  return createKernel({ plugins, config: { version: '3', sections }, ...extra });
}

/** The rejection of a promise that must reject (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown> & { code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Record<string, unknown> & { code: string; message: string };
  }
  throw new Error('expected the promise to reject');
}
