import { status as Status } from '@grpc/grpc-js';
import type { HistogramSample, MetricFamily, MetricsCollector } from '@rr/contracts';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
const CODE_NAMES = new Map(Object.entries(Status).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]));

interface Entry {
  labels: Record<string, string>;
  total: number;
  sum: number;
  buckets: number[];
}

/**
 * gRPC call metrics read at scrape time: `rr_grpc_request_total{grpc_method,grpc_code}`,
 * `rr_grpc_request_duration_seconds{grpc_method,grpc_code}` (histogram) and `rr_grpc_requests_queue`
 * (calls received and not yet answered). Worker gauges come from the metrics plugin via workerSources.
 */
export class GrpcMetrics implements MetricsCollector {
  readonly name = 'grpc';
  #inFlight = 0;
  readonly #entries = new Map<string, Entry>();

  started(): void {
    this.#inFlight++;
  }

  /** One finished call: its full method path, final status code and duration in seconds. */
  finished(method: string, code: number, seconds: number): void {
    this.#inFlight--;
    const codeName = CODE_NAMES.get(code) ?? String(code);
    const key = `${method}\0${codeName}`;
    let e = this.#entries.get(key);
    if (e === undefined) {
      e = { labels: { grpc_method: method, grpc_code: codeName }, total: 0, sum: 0, buckets: new Array<number>(BUCKETS.length + 1).fill(0) };
      this.#entries.set(key, e);
    }
    e.total++;
    e.sum += seconds;
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    (e.buckets[i] as number)++;
  }

  collect(): MetricFamily[] {
    const entries = [...this.#entries.values()];
    const histogram: HistogramSample[] = entries.map((e) => {
      let cumulative = 0;
      return { labels: e.labels, buckets: BUCKETS.map((le, i) => ({ le, count: (cumulative += e.buckets[i] as number) })), sum: e.sum, count: e.total };
    });
    return [
      { name: 'rr_grpc_request_total', help: 'Total number of handled grpc requests after server restart.', type: 'counter', samples: entries.map((e) => ({ labels: e.labels, value: e.total })) },
      { name: 'rr_grpc_request_duration_seconds', help: 'GRPC request duration.', type: 'histogram', samples: histogram },
      { name: 'rr_grpc_requests_queue', help: 'Total number of queued requests.', type: 'gauge', samples: [{ labels: {}, value: this.#inFlight }] },
    ];
  }
}
