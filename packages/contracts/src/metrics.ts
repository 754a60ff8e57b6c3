import { manyRef } from '@rr/kernel';

/** One sample of a metric family: label values by label name, and the value. */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * One labelled histogram: cumulative counts per upper bound (ascending, without `+Inf`, which is
 * `count`), the sum and the count of observations.
 */
export interface HistogramSample {
  labels: Readonly<Record<string, string>>;
  buckets: readonly { le: number; count: number }[];
  sum: number;
  count: number;
}

/**
 * One metric family as a plugin reports it, without any Prometheus library: the full name
 * (`rr_http_total_workers`), its help text, its type and the current samples.
 */
export type MetricFamily =
  | { name: string; help: string; type: 'gauge' | 'counter'; samples: readonly MetricSample[] }
  | { name: string; help: string; type: 'histogram'; samples: readonly HistogramSample[] };

/**
 * A plugin's metrics (RoadRunner's `MetricsCollector()`), read by the metrics plugin at every scrape.
 * Plugins describe values; they never import prom-client. Names follow Prometheus conventions
 * (`rr_<plugin>_<what>`, `_total` for counters, base units such as `_bytes`, `_seconds`), and one
 * family name belongs to one collector.
 */
export interface MetricsCollector {
  /** The owning plugin id, for log lines and duplicate detection. */
  name: string;
  collect(): readonly MetricFamily[] | Promise<readonly MetricFamily[]>;
}

export const metricsCollectorsRef = manyRef<MetricsCollector>('metrics.collectors');
