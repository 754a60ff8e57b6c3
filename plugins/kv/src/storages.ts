import type { KvDriver, KvStorage, Logger } from '@rr/contracts';
import { isRrError, toConfigIssues, type CoreConfig, type RrError } from '@rr/kernel';
import type { KvConfig } from './config.js';
import { kvErrors } from './errors.js';

/** One entry of `RR_ERR_KV_CONFIG_INVALID`'s `details.issues`, shaped like the kernel's config issues. */
export interface KvConfigIssue {
  /** Dotted, from the root of the config: `kv.cache.config.addrs.0`, or `redis.addrs.0` for a root section. */
  readonly path: string;
  /** `RR_ERR_CONFIG_<ISSUE CODE>` for a driver's schema issue (as the kernel maps them), or an `RR_ERR_KV_*` code. */
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** A storage whose driver is known and whose driver config is valid, ready to open. */
export interface ResolvedStorage {
  readonly name: string;
  readonly driver: KvDriver;
  readonly config: unknown;
}

/** The opened storages of one kv plugin instance. */
export interface KvStorages {
  /** The storage by its `kv.<name>`, or undefined. */
  get(name: string): KvStorage | undefined;
  /**
   * Closes every storage concurrently.
   *
   * @throws RR_ERR_KV_CLOSE_FAILED naming every storage that failed to close (after all were tried).
   */
  closeAll(signal: AbortSignal): Promise<void>;
}

/**
 * Picks each storage's driver and validates its driver config (`kv.<name>.config`, else the driver's
 * root section, else `{}`) with the driver's schema. Every problem of every storage is collected first.
 *
 * @throws RR_ERR_KV_CONFIG_INVALID listing each issue with its dotted path (`details.issues`).
 * @throws RR_ERR_KV_DUPLICATE_DRIVER two collected drivers share a name that a storage uses.
 */
export async function resolveStorages(config: KvConfig, drivers: readonly KvDriver[], core: CoreConfig): Promise<ResolvedStorage[]> {
  const byName = new Map<string, KvDriver[]>();
  for (const driver of drivers) byName.set(driver.name, [...(byName.get(driver.name) ?? []), driver]);
  const available = byName.size === 0 ? 'none' : [...byName.keys()].sort().join(', ');

  const issues: KvConfigIssue[] = [];
  const seen = new Set<string>();
  const report = (found: readonly KvConfigIssue[]) => {
    for (const issue of found) {
      // Storages sharing a driver's root section would report its issues once each.
      const id = `${issue.path}\0${issue.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      issues.push(issue);
    }
  };

  const resolved: ResolvedStorage[] = [];
  for (const [name, storage] of Object.entries(config)) {
    const base = `kv.${name}`;
    if (storage.driver === undefined || storage.driver.trim() === '') {
      report([issueOf(kvErrors.MISSING_DRIVER(available), `${base}.driver`)]);
      continue;
    }
    const candidates = byName.get(storage.driver);
    if (candidates === undefined) {
      report([issueOf(kvErrors.UNKNOWN_DRIVER(storage.driver, available), `${base}.driver`)]);
      continue;
    }
    if (candidates.length > 1) throw kvErrors.DUPLICATE_DRIVER(storage.driver, candidates.length);
    const driver = candidates[0] as KvDriver;
    const local = storage.config !== undefined && storage.config !== null;
    // RoadRunner's "global" driver config: the driver plugin's own root section.
    const rootSection = core.raw()[driver.name];
    const [prefix, raw] = local ? [`${base}.config`, storage.config] : [driver.name, rootSection ?? {}];
    const result = await validate(driver, prefix, raw);
    if (result.ok) resolved.push({ name, driver, config: result.value });
    else report(result.issues);
  }

  if (issues.length > 0) {
    const summary = issues.map((issue) => `  ${issue.path}: ${issue.message} (${issue.code})`).join('\n');
    throw kvErrors.CONFIG_INVALID(summary, { plugin: 'kv', details: { issues } });
  }
  return resolved;
}

/**
 * Opens the storages in order. When one fails, the ones already opened are closed before the error is
 * thrown, so a failed init leaves no connection or file behind.
 *
 * @throws RR_ERR_KV_OPEN_FAILED naming the storage that failed (the driver's error is the cause).
 */
export async function openStorages(resolved: readonly ResolvedStorage[], log: Logger): Promise<KvStorages> {
  const opened = new Map<string, KvStorage>();
  for (const { name, driver, config } of resolved) {
    try {
      opened.set(name, await driver.open({ storage: name, config, logger: log.with({ storage: name }) }));
    } catch (err) {
      await closeEach(opened, AbortSignal.timeout(10_000)).catch((closeErr: unknown) => {
        log.warn('closing kv storages after a failed open failed', { error: describe(closeErr) });
      });
      throw kvErrors.OPEN_FAILED(name, driver.name, describe(err), { plugin: 'kv', cause: err });
    }
    log.debug('kv storage opened', { storage: name, driver: driver.name });
  }
  return {
    get: (name) => opened.get(name),
    closeAll: (signal) => closeEach(opened, signal),
  };
}

async function closeEach(storages: ReadonlyMap<string, KvStorage>, signal: AbortSignal): Promise<void> {
  const entries = [...storages];
  const results = await Promise.allSettled(entries.map(([, storage]) => storage.close(signal)));
  const failed = entries.flatMap(([name], i) => {
    const result = results[i];
    return result?.status === 'rejected' ? [{ name, reason: result.reason as unknown }] : [];
  });
  if (failed.length === 0) return;
  throw kvErrors.CLOSE_FAILED(failed.map((f) => JSON.stringify(f.name)).join(', '), failed.map((f) => describe(f.reason)).join('; '), {
    plugin: 'kv',
    cause: failed.length === 1 ? failed[0]?.reason : new AggregateError(failed.map((f) => f.reason)),
  });
}

type Validated = { ok: true; value: unknown } | { ok: false; issues: KvConfigIssue[] };

// A schema that throws (a transform gone wrong) becomes an issue on the section, as in the kernel, so
// every problem still arrives in the one error.
async function validate(driver: KvDriver, prefix: string, raw: unknown): Promise<Validated> {
  try {
    const result = await driver.configSchema['~standard'].validate(raw);
    if (result.issues !== undefined) return { ok: false, issues: toConfigIssues(prefix, result.issues) };
    return { ok: true, value: result.value };
  } catch (err) {
    return { ok: false, issues: [{ path: prefix, code: 'RR_ERR_CONFIG_INVALID_VALUE', message: describe(err) }] };
  }
}

function issueOf(err: RrError, path: string): KvConfigIssue {
  return err.hint === undefined ? { path, code: err.code, message: err.message } : { path, code: err.code, message: err.message, hint: err.hint };
}

function describe(err: unknown): string {
  if (isRrError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
