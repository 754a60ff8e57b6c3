/** Outcome of a bounded load run. */
export interface LoadResult {
  sent: number;
  ok: number;
  failures: { status: number; body: string; error?: string }[];
  /** Distinct response bodies of successful requests (pids for the fault worker). */
  bodies: Set<string>;
}

/**
 * Sends `total` requests with `concurrency` in flight (or until `until` resolves, when given), and
 * records every non-2xx answer or transport error. Bounded in count: load tests never run open-ended.
 */
export async function load(options: { url: string | (() => string); total: number; concurrency: number; until?: Promise<unknown> }): Promise<LoadResult> {
  const result: LoadResult = { sent: 0, ok: 0, failures: [], bodies: new Set() };
  let stop = false;
  void options.until?.then(() => (stop = true));
  const next = () => (typeof options.url === 'string' ? options.url : options.url());
  const lane = async () => {
    while (!stop && result.sent < options.total) {
      result.sent += 1;
      try {
        const res = await fetch(next());
        const body = await res.text();
        if (res.ok) {
          result.ok += 1;
          result.bodies.add(body);
        } else result.failures.push({ status: res.status, body });
      } catch (err) {
        result.failures.push({ status: 0, body: '', error: (err as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return result;
}
