import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfigText } from '@rr/config';
import { jobsDriversRef, kvDriversRef, type JobsDriver, type KvDriver } from '@rr/contracts';
import { definePlugin, isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import boltdbDefault, { boltdbConfigSchema, boltdbJobsConfigSchema, boltdbPlugin } from '../src/index.js';
import { bytes, jobMessage, tempDir, text } from './helpers.js';

const dir = tempDir();

/** Stands in for the kv plugin: collects the drivers as it would. */
function driversProbe() {
  let drivers: readonly KvDriver[] = [];
  const plugin = definePlugin({
    id: 'kv',
    kernel: '^1.0.0',
    collects: { drivers: kvDriversRef },
    init({ collected }) {
      drivers = collected.drivers;
      return {};
    },
  });
  return { plugin, driver: () => drivers[0] as KvDriver };
}

/** Stands in for the jobs plugin: collects the drivers as it would. */
function jobsDriversProbe() {
  let drivers: readonly JobsDriver[] = [];
  const plugin = definePlugin({
    id: 'jobs',
    kernel: '^1.0.0',
    collects: { drivers: jobsDriversRef },
    init({ collected }) {
      drivers = collected.drivers;
      return {};
    },
  });
  return { plugin, driver: () => drivers[0] as JobsDriver };
}

async function validated(driver: KvDriver | JobsDriver, raw: unknown): Promise<unknown> {
  const result = await driver.configSchema['~standard'].validate(raw);
  if (result.issues !== undefined) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: {} })).sections.boltdb;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [boltdbPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

describe('boltdb plugin', () => {
  it('is the default and the named export, with id boltdb', () => {
    expect(boltdbDefault).toBe(boltdbPlugin);
    expect(boltdbPlugin.id).toBe('boltdb');
  });

  it("runs on defaults without a 'boltdb' section and provides the kv driver boltdb", async () => {
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [boltdbPlugin, probe.plugin] });
    try {
      expect(t.kernel.report().find((p) => p.id === 'boltdb')?.state).toBe('serving');
      const driver = probe.driver();
      expect(driver.name).toBe('boltdb');
      expect(await validated(driver, {})).toEqual({ file: 'rr.db', permissions: 0o755, interval: 60_000 });
      const file = join(await dir(), 'plugin.db');
      const config = await validated(driver, { file });
      const storage = await driver.open({ storage: 'local', config, logger: t.logger });
      await storage.set([{ key: 'k', value: bytes('v') }]);
      await storage.close(AbortSignal.timeout(5000));
      const reopened = await driver.open({ storage: 'local', config, logger: t.logger });
      expect(text((await reopened.mget(['k'])).get('k'))).toBe('v');
      await reopened.close(AbortSignal.timeout(5000));
    } finally {
      await t.stop();
    }
    expect(t.kernel.report().find((p) => p.id === 'boltdb')?.state).toBe('stopped');
  });

  it('opens nothing at init: the file appears only on open()', async () => {
    const file = join(await dir(), 'lazy.db');
    const probe = driversProbe();
    const t = await startTestKernel({ plugins: [boltdbPlugin, probe.plugin], config: { boltdb: { file } } });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    const storage = await probe.driver().open({ storage: 'local', config: await validated(probe.driver(), { file }), logger: t.logger });
    expect((await stat(file)).isFile()).toBe(true);
    await storage.close(AbortSignal.timeout(5000));
    await t.stop();
  });
});

describe('boltdb plugin: jobs driver', () => {
  it("provides the jobs driver boltdb with RoadRunner's defaults, beside the kv driver", async () => {
    const kv = driversProbe();
    const jobs = jobsDriversProbe();
    const t = await startTestKernel({ plugins: [boltdbPlugin, kv.plugin, jobs.plugin] });
    try {
      expect(kv.driver().name).toBe('boltdb');
      const driver = jobs.driver();
      expect(driver).toMatchObject({ name: 'boltdb', defaultPrefetch: 1000 });
      expect(await validated(driver, {})).toEqual({ file: 'rr.db', permissions: 0o755 });
    } finally {
      await t.stop();
    }
  });

  it('opens nothing at init; a pipeline opened through the driver keeps its jobs across a reopen, and destroy deletes the file', async () => {
    const file = join(await dir(), 'pipeline.db');
    const probe = jobsDriversProbe();
    const t = await startTestKernel({ plugins: [boltdbPlugin, probe.plugin] });
    try {
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      const driver = probe.driver();
      // As jobs.Declare sends them: every option a string.
      const config = await validated(driver, { file, permissions: '0640' });
      const open = () => driver.open({ pipeline: 'local', config, priority: 10, prefetch: 10, logger: t.logger, deliver: () => undefined });
      const first = await open();
      expect(first.queue).toBe(file);
      expect((await stat(file)).mode & 0o7777).toBe(0o640);
      await first.push([jobMessage('a')]);
      await first.stop(AbortSignal.timeout(5000));
      const second = await open();
      expect(await second.stat()).toEqual({ queue: file, active: 1, delayed: 0, reserved: 0 });
      await second.destroy(AbortSignal.timeout(5000));
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await t.stop();
    }
  });

  it.each([
    ['RoadRunner’s pipeline keys', { file: 'queue.db', permissions: 0o644 }, { file: 'queue.db', permissions: 0o644 }],
    ['permissions as jobs.Declare sends them', { permissions: '0600' }, { file: 'rr.db', permissions: 0o600 }],
  ])('accepts %s', (_name, raw, expected) => {
    expect(boltdbJobsConfigSchema.parse(raw)).toEqual(expected);
  });

  it.each([
    ['an unknown key (kv’s interval is not a pipeline option)', { interval: 60 }],
    ['an empty file', { file: '' }],
    ['a mode that is not octal', { permissions: '0789' }],
  ])('rejects %s', (_name, raw) => {
    expect(boltdbJobsConfigSchema.safeParse(raw).success).toBe(false);
  });
});

describe('boltdb config: accepted', () => {
  it.each([
    ['no keys: RoadRunner’s defaults', 'boltdb: {}', { file: 'rr.db', permissions: 0o755, interval: 60_000 }],
    ['an empty section', 'boltdb:', { file: 'rr.db', permissions: 0o755, interval: 60_000 }],
    ['RoadRunner’s sample: octal YAML int, bare seconds', 'boltdb:\n  file: "rr.db"\n  permissions: 0777\n  interval: 40', { permissions: 0o777, interval: 40_000 }],
    ['permissions as the int 493', 'boltdb: { permissions: 493 }', { permissions: 0o755 }],
    ['permissions as the string "0755"', 'boltdb: { permissions: "0755" }', { permissions: 0o755 }],
    ['permissions as "0o600"', 'boltdb: { permissions: "0o600" }', { permissions: 0o600 }],
    ['permissions 0644', 'boltdb: { permissions: 0644 }', { permissions: 0o644 }],
    ['interval in Go syntax', 'boltdb: { interval: 1m30s }', { interval: 90_000 }],
    ['interval 0 as the default', 'boltdb: { interval: 0 }', { interval: 60_000 }],
  ])('%s', async (_name, yaml, expected) => {
    expect(boltdbConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });
});

describe('boltdb config: rejected', () => {
  it.each([
    ['a mode that is not octal', 'boltdb: { permissions: "0789" }', [{ path: 'boltdb.permissions', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['a mode that is too big', 'boltdb: { permissions: 070000 }', [{ path: 'boltdb.permissions', code: 'RR_ERR_CONFIG_TOO_BIG' }]],
    ['a negative mode', 'boltdb: { permissions: -1 }', [{ path: 'boltdb.permissions', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['a mode that is a list', 'boltdb: { permissions: [7] }', [{ path: 'boltdb.permissions', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['an empty file', 'boltdb: { file: "" }', [{ path: 'boltdb.file', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['a bad interval', 'boltdb: { interval: soon }', [{ path: 'boltdb.interval', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['an unknown key', 'boltdb: { bucket: default }', [{ path: 'boltdb.bucket', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
