import type { RrError } from '@rr/errors';
import type { PluginState } from './core-refs.js';

/** The kernel's events and their arguments. */
export interface KernelEvents {
  /** Every serve() resolved. */
  ready: [];
  /** stop() began (called, or triggered by a serve failure). */
  stopping: [];
  /** Every plugin stopped (or timed out); `done` settles next. */
  stopped: [];
  /** A plugin reported a fault through ctx.fail; an ordered stop follows. */
  failed: [error: RrError];
  /** A plugin changed state. */
  state: [change: { readonly plugin: string; readonly state: PluginState }];
}

/** A listener for event `E`. */
export type KernelListener<E extends keyof KernelEvents> = (...args: KernelEvents[E]) => void;

/**
 * A minimal typed emitter. A throwing listener is reported through `onListenerError` and never
 * reaches the kernel's own flow.
 */
export class Emitter {
  readonly #listeners = new Map<keyof KernelEvents, Set<(...args: never[]) => void>>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof KernelEvents>(event: E, listener: KernelListener<E>): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener as (...args: never[]) => void);
    this.#listeners.set(event, set);
    return () => {
      set.delete(listener as (...args: never[]) => void);
    };
  }

  /** Calls every listener of `event` in subscription order. */
  emit<E extends keyof KernelEvents>(event: E, ...args: KernelEvents[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as KernelListener<E>)(...args);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}
