import type { HistogramSample, MetricFamily, MetricsCollector } from '@rr/contracts';

/** Prometheus' default buckets, which RoadRunner's rr_http_request_duration_seconds uses. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface ByStatus {
  total: number;
  sum: number;
  /** Non-cumulative counts per bucket; the last slot is above the largest bound. */
  buckets: number[];
}

/**
 * RoadRunner's HTTP request metrics, kept by the request handler and read at scrape time:
 * `rr_http_request_total{status}`, `rr_http_request_duration_seconds{status}` (histogram) and
 * `rr_http_requests_queue` (requests received and not yet answered: waiting for a worker or held by one).
 * Plain numbers instead of a metrics library: the handler pays two map lookups per request, and
 * plugins never import prom-client.
 */
export class HttpMetrics implements MetricsCollector {
  readonly name = 'http';
  #inFlight = 0;
  readonly #byStatus = new Map<number, ByStatus>();

  started(): void {
    this.#inFlight++;
  }

  /** One answered (or abandoned) request: its final status and its duration in seconds. */
  finished(status: number, seconds: number): void {
    this.#inFlight--;
    let entry = this.#byStatus.get(status);
    if (entry === undefined) {
      entry = { total: 0, sum: 0, buckets: new Array<number>(BUCKETS.length + 1).fill(0) };
      this.#byStatus.set(status, entry);
    }
    entry.total++;
    entry.sum += seconds;
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    (entry.buckets[i] as number)++;
  }

  collect(): MetricFamily[] {
    const statuses = [...this.#byStatus.entries()].sort(([a], [b]) => a - b);
    const histogram: HistogramSample[] = statuses.map(([status, e]) => {
      let cumulative = 0;
      return {
        labels: { status: String(status) },
        buckets: BUCKETS.map((le, i) => ({ le, count: (cumulative += e.buckets[i] as number) })),
        sum: e.sum,
        count: e.total,
      };
    });
    return [
      {
        name: 'rr_http_request_total',
        help: 'Total number of handled http requests after server restart.',
        type: 'counter',
        samples: statuses.map(([status, e]) => ({ labels: { status: String(status) }, value: e.total })),
      },
      { name: 'rr_http_request_duration_seconds', help: 'HTTP request duration.', type: 'histogram', samples: histogram },
      { name: 'rr_http_requests_queue', help: 'Total number of queued requests.', type: 'gauge', samples: [{ labels: {}, value: this.#inFlight }] },
    ];
  }
}
