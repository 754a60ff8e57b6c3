import type { Logger, MetricFamily, MetricsCollector } from '@rr/contracts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { CollectorConfig } from './config.js';
import { metricsErrors } from './errors.js';

/** A user collector's description: `metrics.collect.<name>` or the `collector` of metrics.Declare. */
export type CollectorSpec = Pick<CollectorConfig, 'type'> & Partial<Omit<CollectorConfig, 'type'>>;

/** The operations of the metrics RPC service. */
export type MetricsOperation = 'Add' | 'Sub' | 'Observe' | 'Set';

type AnyMetric = Counter | Gauge | Histogram | Summary;

interface UserCollector {
  name: string;
  fqName: string;
  type: CollectorSpec['type'];
  labels: readonly string[];
  metric: AnyMetric;
}

const OPERATIONS: Record<CollectorSpec['type'], readonly MetricsOperation[]> = {
  counter: ['Add'],
  gauge: ['Add', 'Sub', 'Set'],
  histogram: ['Observe'],
  summary: ['Observe'],
};

/** Prometheus' BuildFQName: the non-empty parts joined by `_`. */
export function fqName(namespace: string, subsystem: string, name: string): string {
  if (name === '') return '';
  return [namespace, subsystem, name].filter((part) => part !== '').join('_');
}

/**
 * The metrics plugin's state: its own prom-client registry (never the global one) with the process
 * collectors, the user collectors by name, and the collected plugins' collectors read at scrape time.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly #collectors = new Map<string, UserCollector>();

  constructor(
    private readonly sources: readonly MetricsCollector[],
    private readonly log?: Logger,
  ) {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Whether a user collector with this name exists. */
  has(name: string): boolean {
    return this.#collectors.has(name);
  }

  /** Declares a user collector; false (and no change) when the name exists, as metrics.Declare answers true then. */
  declare(name: string, spec: CollectorSpec): boolean {
    if (this.#collectors.has(name)) return false;
    if (!(spec.type in OPERATIONS)) throw metricsErrors.INVALID_COLLECTOR(name, `unknown collector type ${JSON.stringify(spec.type)}`);
    const full = fqName(spec.namespace ?? '', spec.subsystem ?? '', name);
    if (full === '') throw metricsErrors.INVALID_COLLECTOR(name, 'the name is empty');
    if (this.registry.getSingleMetric(full)) throw metricsErrors.ALREADY_REGISTERED(name, full);
    const labels = spec.labels ?? [];
    // prom-client insists on a help text; Go accepts an empty one.
    const common = { name: full, help: spec.help || full, labelNames: labels, registers: [this.registry] };
    let metric: AnyMetric;
    try {
      switch (spec.type) {
        case 'counter':
          metric = new Counter(common);
          break;
        case 'gauge':
          metric = new Gauge(common);
          break;
        case 'histogram':
          metric = new Histogram(spec.buckets?.length ? { ...common, buckets: [...spec.buckets] } : common);
          break;
        case 'summary':
          // Go's summaries have no quantiles unless objectives are given; prom-client has no error bound.
          metric = new Summary({ ...common, percentiles: quantiles(spec.objectives) });
          break;
      }
    } catch (err) {
      throw metricsErrors.INVALID_COLLECTOR(name, err instanceof Error ? err.message : String(err));
    }
    this.#collectors.set(name, { name, fqName: full, type: spec.type, labels, metric });
    return true;
  }

  /** Removes a user collector; false when there is none by that name. */
  unregister(name: string): boolean {
    const collector = this.#collectors.get(name);
    if (!collector) return false;
    this.registry.removeSingleMetric(collector.fqName);
    this.#collectors.delete(name);
    return true;
  }

  /** Applies one RPC operation to a user collector. */
  update(operation: MetricsOperation, name: string, value: number, labelValues: readonly string[]): void {
    const collector = this.#collectors.get(name);
    if (!collector) throw metricsErrors.UNDEFINED_COLLECTOR(name);
    if (!OPERATIONS[collector.type].includes(operation)) throw metricsErrors.UNSUPPORTED_OPERATION(name, collector.type, operation);
    let labels: Record<string, string> | undefined;
    if (collector.labels.length > 0) {
      if (labelValues.length === 0) throw metricsErrors.REQUIRED_LABELS(name);
      if (labelValues.length !== collector.labels.length) throw metricsErrors.LABEL_CARDINALITY(name, collector.labels.length, labelValues.length);
      labels = Object.fromEntries(collector.labels.map((label, i) => [label, labelValues[i] as string]));
    }
    const { metric } = collector;
    switch (operation) {
      case 'Add':
        if (metric instanceof Counter && value < 0) throw metricsErrors.COUNTER_DECREASE(name, value);
        if (labels) (metric as Counter | Gauge).inc(labels, value);
        else (metric as Counter | Gauge).inc(value);
        return;
      case 'Sub':
        if (labels) (metric as Gauge).dec(labels, value);
        else (metric as Gauge).dec(value);
        return;
      case 'Set':
        if (labels) (metric as Gauge).set(labels, value);
        else (metric as Gauge).set(value);
        return;
      case 'Observe':
        if (labels) (metric as Histogram | Summary).observe(labels, value);
        else (metric as Histogram | Summary).observe(value);
        return;
    }
  }

  /** The text exposition: the registry, then every collected plugin's families (a name already written is skipped). */
  async render(): Promise<string> {
    const own = await this.registry.metrics();
    const seen = new Set(this.registry.getMetricsAsArray().map((m) => m.name));
    const parts = [own];
    for (const source of this.sources) {
      let families: readonly MetricFamily[];
      try {
        families = await source.collect();
      } catch (err) {
        this.log?.warn('metrics collector failed', { collector: source.name, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      for (const family of families) {
        if (seen.has(family.name)) {
          this.log?.warn('duplicate metric family skipped', { collector: source.name, metric: family.name });
          continue;
        }
        seen.add(family.name);
        parts.push(renderFamily(family));
      }
    }
    return parts.filter((p) => p !== '').map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  }

  /** The exposition content type (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Drops every collector (the registry is not reused). */
  clear(): void {
    this.registry.clear();
    this.#collectors.clear();
  }
}

function quantiles(objectives: CollectorSpec['objectives']): number[] {
  const maps = Array.isArray(objectives) ? objectives : [objectives ?? {}];
  return maps.flatMap((m) => Object.keys(m).map(Number)).sort((a, b) => a - b);
}

const escapeHelp = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (text: string) => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** One family in the Prometheus text format 0.0.4. */
export function renderFamily(family: MetricFamily): string {
  const lines = [`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`];
  const series = (name: string, labels: Readonly<Record<string, string>>, value: number, le?: string): void => {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
    if (le !== undefined) pairs.push(`le="${le}"`);
    lines.push(`${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
  };
  if (family.type === 'histogram') {
    for (const sample of family.samples) {
      for (const bucket of sample.buckets) series(`${family.name}_bucket`, sample.labels, bucket.count, formatValue(bucket.le));
      series(`${family.name}_bucket`, sample.labels, sample.count, '+Inf');
      series(`${family.name}_sum`, sample.labels, sample.sum);
      series(`${family.name}_count`, sample.labels, sample.count);
    }
  } else {
    for (const sample of family.samples) series(family.name, sample.labels, sample.value);
  }
  return `${lines.join('\n')}\n`;
}
