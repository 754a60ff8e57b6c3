import { z } from 'zod';

const objectiveMap = z.record(z.string().regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'a quantile between 0 and 1'), z.number().min(0).max(1));

/** One `metrics.collect.<name>` entry: a user collector declared in YAML (same shape as metrics.Declare). */
export const collectorConfigSchema = z
  .strictObject({
    type: z.enum(['counter', 'gauge', 'histogram', 'summary']).describe('Collector type: counter, gauge, histogram or summary'),
    help: z.string().default('').describe('Help text (the full name when empty)'),
    namespace: z.string().default('').describe('First part of the full name: namespace_subsystem_name'),
    subsystem: z.string().default('').describe('Second part of the full name: namespace_subsystem_name'),
    labels: z.array(z.string()).default([]).describe('Label names; with labels a vector collector is created and every call must pass their values'),
    buckets: z.array(z.number()).default([]).describe('Histogram buckets (empty = Prometheus defaults .005…10)'),
    objectives: z
      .union([objectiveMap, z.array(objectiveMap)])
      .default({})
      .describe('Summary quantiles → allowed error, as a map or a list of one-entry maps (RoadRunner writes `- 0.5: 0.05`); the error is not used'),
  })
  .describe('A user collector');

/** The `metrics` section. Its presence enables the plugin, as in RoadRunner. */
export const metricsConfigSchema = z
  .strictObject({
    address: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]*\]|[^:[\]]*):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:2112')
      .default('127.0.0.1:2112')
      .describe('Address of the Prometheus exposition server, host:port (default 127.0.0.1:2112; an empty host listens on every interface; every path answers)'),
    collect: z.record(z.string(), collectorConfigSchema).default({}).describe('User collectors by name, updated from PHP through the metrics RPC service'),
  })
  .describe('Prometheus metrics: process, pool and user collectors');

/** The resolved `metrics` section. */
export type MetricsConfig = z.output<typeof metricsConfigSchema>;
/** The `metrics` section as written in YAML. */
export type MetricsConfigInput = z.input<typeof metricsConfigSchema>;
/** One resolved `metrics.collect.<name>` entry. */
export type CollectorConfig = z.output<typeof collectorConfigSchema>;
