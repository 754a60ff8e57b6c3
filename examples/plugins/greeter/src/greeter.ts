import type { MetricFamily, MetricsCollector } from '@rr/contracts';
import type { GreeterConfig } from './config.js';
import { greeterErrors } from './errors.js';

/** One answer of greeter.Hello. */
export interface Greeting {
  message: string;
  /** How many times this name has been greeted, this time included. */
  count: number;
}

/**
 * The greeter's state: the answer template, a count per name (bounded by `remember`: the least
 * recently greeted name is forgotten first) and the total, which the metrics plugin reads.
 */
export class Greeter {
  readonly #config: Readonly<GreeterConfig>;
  // A Map iterates in insertion order; re-inserting on every greeting keeps the least recent first.
  readonly #counts = new Map<string, number>();
  #total = 0;

  constructor(config: Readonly<GreeterConfig>) {
    this.#config = config;
  }

  /**
   * Greets `name` (the configured default when empty) and counts it.
   * @throws RR_ERR_GREETER_NAME_TOO_LONG
   */
  greet(name: string): Greeting {
    const who = name === '' ? this.#config.default_name : name;
    if (who.length > this.#config.max_name_length) throw greeterErrors.NAME_TOO_LONG(who.length, this.#config.max_name_length);
    const count = (this.#counts.get(who) ?? 0) + 1;
    this.#counts.delete(who);
    this.#counts.set(who, count);
    if (this.#counts.size > this.#config.remember) {
      const oldest = this.#counts.keys().next();
      if (oldest.done !== true) this.#counts.delete(oldest.value);
    }
    this.#total += 1;
    // One pass, so a name containing "{count}" is not expanded again.
    const message = this.#config.greeting.replace(/\{(name|count)\}/g, (_, key: string) => (key === 'name' ? who : String(count)));
    return { message, count };
  }

  /** Greetings answered since start. */
  get total(): number {
    return this.#total;
  }

  /** Distinct names whose count is remembered. */
  get names(): number {
    return this.#counts.size;
  }

  /** What the metrics plugin scrapes: `rr_greeter_greetings_total` and `rr_greeter_names`. */
  collector(): MetricsCollector {
    return {
      name: 'greeter',
      collect: (): MetricFamily[] => [
        { name: 'rr_greeter_greetings_total', help: 'Greetings answered by greeter.Hello', type: 'counter', samples: [{ labels: {}, value: this.#total }] },
        { name: 'rr_greeter_names', help: 'Distinct names whose greetings are counted', type: 'gauge', samples: [{ labels: {}, value: this.#counts.size }] },
      ],
    };
  }
}
