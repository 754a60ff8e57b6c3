import type { HistogramSample, MetricFamily, MetricsCollector } from '@rr/contracts';

/** Prometheus' default buckets, as RoadRunner's rr_jobs_push_latency. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** `rr_jobs_requests_total`'s `type` label. */
export type JobsRequestType = 'push' | 'ok' | 'error' | 'requeue' | 'dead_letter';

interface Latency {
  sum: number;
  count: number;
  /** Non-cumulative counts per bucket; the last slot is above the largest bound. */
  buckets: number[];
}

/**
 * RoadRunner's jobs metrics, kept by the core and read at scrape time: the counters `rr_jobs_push_ok`,
 * `rr_jobs_push_err`, `rr_jobs_jobs_ok`, `rr_jobs_jobs_err`, `rr_jobs_requeue` (RoadRunner's names,
 * without `_total`, so existing dashboards keep working), `rr_jobs_requests_total{pipeline,driver,type}`
 * and the histogram `rr_jobs_push_latency{pipeline,driver}` in seconds. Pool gauges
 * (`rr_jobs_total_workers` …) come from the metrics plugin through the workers source.
 */
export class JobsMetrics implements MetricsCollector {
  readonly name = 'jobs';
  pushOk = 0;
  pushErr = 0;
  jobsOk = 0;
  jobsErr = 0;
  requeued = 0;
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Latency>();

  request(pipeline: string, driver: string, type: JobsRequestType, count = 1): void {
    const key = JSON.stringify([pipeline, driver, type]);
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + count);
  }

  pushLatency(pipeline: string, driver: string, seconds: number): void {
    const key = JSON.stringify([pipeline, driver]);
    let entry = this.#latency.get(key);
    if (entry === undefined) {
      entry = { sum: 0, count: 0, buckets: new Array<number>(BUCKETS.length + 1).fill(0) };
      this.#latency.set(key, entry);
    }
    entry.sum += seconds;
    entry.count++;
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    (entry.buckets[i] as number)++;
  }

  collect(): MetricFamily[] {
    const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ labels: {}, value }] });
    const requests = [...this.#requests.entries()].map(([key, value]) => {
      const [pipeline, driver, type] = JSON.parse(key) as [string, string, string];
      return { labels: { pipeline, driver, type }, value };
    });
    const latency: HistogramSample[] = [...this.#latency.entries()].map(([key, e]) => {
      const [pipeline, driver] = JSON.parse(key) as [string, string];
      let cumulative = 0;
      return {
        labels: { pipeline, driver },
        buckets: BUCKETS.map((le, i) => ({ le, count: (cumulative += e.buckets[i] as number) })),
        sum: e.sum,
        count: e.count,
      };
    });
    return [
      counter('rr_jobs_push_ok', 'Number of jobs pushed successfully.', this.pushOk),
      counter('rr_jobs_push_err', 'Number of jobs whose push failed.', this.pushErr),
      counter('rr_jobs_jobs_ok', 'Number of jobs processed successfully.', this.jobsOk),
      counter('rr_jobs_jobs_err', 'Number of jobs that failed.', this.jobsErr),
      counter('rr_jobs_requeue', 'Number of jobs put back for another attempt.', this.requeued),
      { name: 'rr_jobs_requests_total', help: 'Jobs requests by pipeline, driver and type.', type: 'counter', samples: requests },
      { name: 'rr_jobs_push_latency', help: 'Time to push a job to its driver, in seconds.', type: 'histogram', samples: latency },
    ];
  }
}
