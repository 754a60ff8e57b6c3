interface Entry<T> {
  priority: number;
  seq: number;
  value: T;
}

/**
 * The in-process queue between the drivers and the workers (RoadRunner's binary heap): lower priority
 * first, FIFO within a priority. Bounded: `offer` waits while `capacity` items are queued, which is how
 * the drivers feel back-pressure.
 */
export class PriorityQueue<T> {
  readonly #heap: Entry<T>[] = [];
  readonly #waiting: (() => void)[] = [];
  #seq = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#heap.length;
  }

  /** Adds an item; resolves at once when there is room, else once an item was taken. */
  offer(value: T, priority: number): Promise<void> | undefined {
    this.#insert({ priority, seq: this.#seq++, value });
    if (this.#heap.length <= this.capacity) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** The first item, or undefined when empty. */
  take(): T | undefined {
    const top = this.#heap[0];
    if (top === undefined) return undefined;
    const last = this.#heap.pop() as Entry<T>;
    if (this.#heap.length > 0) {
      this.#heap[0] = last;
      this.#down(0);
    }
    this.#waiting.shift()?.();
    return top.value;
  }

  /** Removes and returns every item matching `predicate`, in queue order. */
  drain(predicate: (value: T) => boolean = () => true): T[] {
    const kept: Entry<T>[] = [];
    const out: Entry<T>[] = [];
    for (const entry of this.#heap) (predicate(entry.value) ? out : kept).push(entry);
    this.#heap.length = 0;
    for (const entry of kept) this.#insert(entry);
    for (let i = 0; i < out.length && this.#waiting.length > 0; i++) this.#waiting.shift()?.();
    return out.sort(before).map((e) => e.value);
  }

  #insert(entry: Entry<T>): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(heap[parent] as Entry<T>, entry) <= 0) break;
      heap[i] = heap[parent] as Entry<T>;
      i = parent;
    }
    heap[i] = entry;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const entry = heap[i] as Entry<T>;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(heap[right] as Entry<T>, heap[left] as Entry<T>) < 0 ? right : left;
      if (before(entry, heap[child] as Entry<T>) <= 0) break;
      heap[i] = heap[child] as Entry<T>;
      i = child;
    }
    heap[i] = entry;
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): number {
  return a.priority - b.priority || a.seq - b.seq;
}
