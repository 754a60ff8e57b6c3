import type { JobsDriver } from '@rr/contracts';
import { toConfigIssues } from '@rr/kernel';
import { CORE_OPTION_KEYS, pipelineOptionsSchema, type PipelineOptions } from './config.js';
import { jobsErrors } from './errors.js';

/** One problem of a pipeline's declaration, with its dotted path from the root of the config. */
export interface PipelineIssue {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** A pipeline whose driver is known and whose options are valid, ready to open. */
export interface ResolvedPipeline {
  readonly name: string;
  readonly driver: JobsDriver;
  /** The core's options; `prefetch` resolved with the driver's default. */
  readonly options: PipelineOptions & { prefetch: number };
  /** The driver's options, validated by its schema. */
  readonly driverConfig: unknown;
}

export type Resolution = { ok: true; pipeline: ResolvedPipeline } | { ok: false; issues: PipelineIssue[] };

/** The collected drivers by name. */
export class DriverRegistry {
  readonly #byName = new Map<string, JobsDriver[]>();

  constructor(drivers: readonly JobsDriver[]) {
    for (const driver of drivers) this.#byName.set(driver.name, [...(this.#byName.get(driver.name) ?? []), driver]);
  }

  get available(): string {
    return this.#byName.size === 0 ? 'none' : [...this.#byName.keys()].sort().join(', ');
  }

  /** @throws RR_ERR_JOBS_DUPLICATE_DRIVER two plugins provide the name. */
  get(name: string): JobsDriver | undefined {
    const found = this.#byName.get(name);
    if (found !== undefined && found.length > 1) throw jobsErrors.DUPLICATE_DRIVER(name, found.length);
    return found?.[0];
  }
}

/**
 * Splits a pipeline's options into the core's keys and the driver's, and validates both. `base` is the
 * dotted path of the options (`jobs.pipelines.<name>.config`, or `jobs.Declare(<name>)` at run time).
 */
export async function resolvePipeline(
  name: string,
  driverName: string | undefined,
  raw: Readonly<Record<string, unknown>>,
  drivers: DriverRegistry,
  paths: { driver: string; options: string },
): Promise<Resolution> {
  if (driverName === undefined || driverName.trim() === '') {
    const err = jobsErrors.MISSING_DRIVER(name, drivers.available);
    return { ok: false, issues: [{ path: paths.driver, code: err.code, message: err.message }] };
  }
  const driver = drivers.get(driverName);
  if (driver === undefined) {
    const err = jobsErrors.UNKNOWN_DRIVER(driverName, drivers.available);
    return { ok: false, issues: [{ path: paths.driver, code: err.code, message: err.message }] };
  }
  const core: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) (CORE_OPTION_KEYS.includes(key) ? core : own)[key] = value;

  const issues: PipelineIssue[] = [];
  const coreResult = pipelineOptionsSchema.safeParse(core);
  if (!coreResult.success) issues.push(...toConfigIssues(paths.options, coreResult.error.issues));
  let driverConfig: unknown;
  try {
    const result = await driver.configSchema['~standard'].validate(own);
    if (result.issues !== undefined) issues.push(...toConfigIssues(paths.options, result.issues));
    else driverConfig = result.value;
  } catch (err) {
    issues.push({ path: paths.options, code: 'RR_ERR_CONFIG_INVALID_VALUE', message: err instanceof Error ? err.message : String(err) });
  }
  if (issues.length > 0 || !coreResult.success) return { ok: false, issues };
  const options = { ...coreResult.data, prefetch: coreResult.data.prefetch ?? driver.defaultPrefetch };
  return { ok: true, pipeline: { name, driver, options, driverConfig } };
}

/** Formats issues as one line each, for error messages. */
export function summarize(issues: readonly PipelineIssue[]): string {
  return issues.map((issue) => `  ${issue.path}: ${issue.message} (${issue.code})`).join('\n');
}

