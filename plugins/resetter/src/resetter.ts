import type { Logger, Resettable } from '@rr/contracts';
import { isRrError } from '@rr/kernel';
import { resetterErrors } from './errors.js';

/** Rolling resets of the plugins that own workers, by plugin name. */
export class Resetter {
  readonly #targets = new Map<string, Resettable>();
  readonly #running = new Map<string, Promise<void>>();
  readonly #log: Logger;

  /** @throws RR_ERR_RESETTER_DUPLICATE_RESETTABLE two resettables share a name. */
  constructor(resettables: readonly Resettable[], log: Logger) {
    for (const r of resettables) {
      if (this.#targets.has(r.name)) throw resetterErrors.DUPLICATE_RESETTABLE(r.name);
      this.#targets.set(r.name, r);
    }
    this.#log = log;
  }

  /** Names of every resettable plugin, in registration order. */
  list(): string[] {
    return [...this.#targets.keys()];
  }

  /**
   * Replaces every worker of one plugin (rolling: no request fails) and resolves when done. A reset
   * asked for while one of the same plugin runs joins it instead of starting another.
   *
   * @throws RR_ERR_RESETTER_NO_SUCH_PLUGIN, RR_ERR_RESETTER_RESET_FAILED (rejection; `cause` is the plugin's error).
   */
  reset(plugin: string): Promise<void> {
    const target = this.#targets.get(plugin);
    if (target === undefined) return Promise.reject(resetterErrors.NO_SUCH_PLUGIN(plugin));
    let running = this.#running.get(plugin);
    if (running === undefined) {
      running = this.#run(target).finally(() => this.#running.delete(plugin));
      this.#running.set(plugin, running);
    }
    return running;
  }

  async #run(target: Resettable): Promise<void> {
    const started = Date.now();
    this.#log.info('resetting plugin', { plugin: target.name });
    try {
      await target.reset();
    } catch (err) {
      const reason = isRrError(err) ? err.toWire() : err instanceof Error ? err.message : String(err);
      this.#log.error('plugin reset failed', { plugin: target.name, error: err });
      throw resetterErrors.RESET_FAILED(target.name, reason, { cause: err, plugin: target.name });
    }
    this.#log.info('plugin was reset', { plugin: target.name, elapsed_ms: Date.now() - started });
  }
}
