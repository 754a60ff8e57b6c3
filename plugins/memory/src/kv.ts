import type { KvDriver, KvExpiry, KvItem, KvStorage } from '@rr/contracts';
import { memoryConfigSchema, type MemoryConfig } from './config.js';
import { memoryErrors } from './errors.js';

interface Entry {
  value: Uint8Array;
  /** Deadline in ms since the epoch; undefined = never expires. */
  expiresAt: number | undefined;
}

/**
 * One in-process storage. An item whose deadline has passed is treated as absent by every read at once
 * (and dropped on the spot); the sweep only returns the memory of items nobody reads again.
 */
export class MemoryKvStorage implements KvStorage {
  readonly #items = new Map<string, Entry>();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(
    private readonly name: string,
    intervalMs: number,
  ) {
    this.#sweep = setInterval(() => this.sweep(), intervalMs);
    // A storage must never keep rr alive on its own: stop() is what ends it.
    this.#sweep.unref();
  }

  /** Items held, expired or not: what the sweep frees. */
  get size(): number {
    return this.#items.size;
  }

  /** Frees every expired item now; returns how many. */
  sweep(now = Date.now()): number {
    let freed = 0;
    for (const [key, entry] of this.#items) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        this.#items.delete(key);
        freed++;
      }
    }
    return freed;
  }

  async has(keys: readonly string[]): Promise<string[]> {
    this.#open();
    const now = Date.now();
    const found = new Set<string>();
    for (const key of keys) if (this.#live(key, now) !== undefined) found.add(key);
    return [...found];
  }

  async set(items: readonly KvItem[]): Promise<void> {
    this.#open();
    const now = Date.now();
    for (const { key, value, expiresAt } of items) {
      if (expiresAt !== undefined && expiresAt <= now) {
        this.#items.delete(key);
        continue;
      }
      // The caller's bytes may be a view into a reused frame buffer: keep a copy of our own.
      this.#items.set(key, { value: value.slice(), expiresAt });
    }
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    this.#open();
    const now = Date.now();
    const out = new Map<string, Uint8Array>();
    for (const key of keys) {
      const entry = this.#live(key, now);
      if (entry !== undefined) out.set(key, entry.value);
    }
    return out;
  }

  async mexpire(items: readonly KvExpiry[]): Promise<void> {
    this.#open();
    const now = Date.now();
    for (const { key, expiresAt } of items) {
      const entry = this.#live(key, now);
      if (entry === undefined) continue;
      if (expiresAt <= now) this.#items.delete(key);
      else entry.expiresAt = expiresAt;
    }
  }

  async ttl(keys: readonly string[]): Promise<Map<string, number | null>> {
    this.#open();
    const now = Date.now();
    const out = new Map<string, number | null>();
    for (const key of keys) {
      const entry = this.#live(key, now);
      if (entry !== undefined) out.set(key, entry.expiresAt ?? null);
    }
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.#open();
    for (const key of keys) this.#items.delete(key);
  }

  async clear(): Promise<void> {
    this.#open();
    this.#items.clear();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweep);
    this.#items.clear();
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#items.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
      this.#items.delete(key);
      return undefined;
    }
    return entry;
  }

  #open(): void {
    if (this.#closed) throw memoryErrors.CLOSED(this.name, { plugin: 'memory' });
  }
}

/** The kv driver `memory`: every `open()` is a new, empty, independent storage. */
export const memoryKvDriver: KvDriver<MemoryConfig> = {
  name: 'memory',
  configSchema: memoryConfigSchema,
  async open({ storage, config }) {
    return new MemoryKvStorage(storage, config.interval);
  },
};
