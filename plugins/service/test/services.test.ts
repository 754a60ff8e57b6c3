import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../src/process.js';
import { ServiceManager } from '../src/services.js';
import { fixture, isAlive, until } from './helpers.js';

const spec = (over: Partial<ServiceSpec>): ServiceSpec => ({
  name: 's',
  command: 'sleep 1000',
  processNum: 1,
  execTimeoutMs: 0,
  remainAfterExit: false,
  restartMs: 30_000,
  stopTimeoutMs: 5_000,
  serviceNameInLog: false,
  env: {},
  user: '',
  ...over,
});

describe('ServiceManager', () => {
  it('SIGKILLs at once when the stop deadline has already passed, without waiting timeout_stop_sec', async () => {
    const log = recordingLogger();
    const services = new ServiceManager(log);
    await services.create(spec({ command: `sh ${fixture('stubborn-child.sh')}`, stopTimeoutMs: 60_000 }));
    const child = Number((await until(() => log.find(/^child \d+$/)[0], 'the child pid')).message.split(' ')[1]);
    const started = Date.now();
    await services.stopAll(AbortSignal.abort());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(isAlive(child)).toBe(false);
  });

  it('lets an operation in flight finish, stops what it started, and refuses later ones', async () => {
    const services = new ServiceManager(recordingLogger());
    await services.create(spec({ name: 'busy' }));
    const restarting = services.restart('busy');
    await new Promise((resolve) => setImmediate(resolve));
    const queued = services.create(spec({ name: 'queued' }));
    await services.stopAll();
    await restarting;
    await expect(queued).rejects.toMatchObject({ code: 'RR_ERR_SERVICE_STOPPED' });
    expect(services.list()).toEqual([]);
    expect(services.workers()).toEqual([]);
    await expect(services.restart('busy')).rejects.toMatchObject({ code: 'RR_ERR_SERVICE_STOPPED' });
  });

  it('forgets a service whose restart cannot start it again, as RoadRunner does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-service-'));
    try {
      const script = join(dir, 'run.sh');
      writeFileSync(script, '#!/bin/sh\nexec sleep 1000\n', { mode: 0o755 });
      const services = new ServiceManager(recordingLogger());
      await services.create(spec({ name: 'vanishing', command: script }));
      rmSync(script);
      await expect(services.restart('vanishing')).rejects.toMatchObject({ code: 'RR_ERR_SERVICE_START_FAILED' });
      expect(services.list()).toEqual([]);
      await services.stopAll();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
