import { RrError } from '@rr/kernel';
import { recordingLogger } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { Resetter } from '../src/index.js';
import { fakeResettable } from './helpers.js';

describe('Resetter', () => {
  it('lists resettables in registration order', () => {
    expect(new Resetter([fakeResettable('http'), fakeResettable('jobs')], recordingLogger()).list()).toEqual(['http', 'jobs']);
  });

  it('resets one plugin and logs it', async () => {
    const http = fakeResettable('http');
    const jobs = fakeResettable('jobs');
    const log = recordingLogger();
    await new Resetter([http, jobs], log).reset('http');
    expect([http.resets, jobs.resets]).toEqual([1, 0]);
    expect(log.lines.map((l) => [l.level, l.message, l.fields.plugin])).toEqual([
      ['info', 'resetting plugin', 'http'],
      ['info', 'plugin was reset', 'http'],
    ]);
  });

  it('refuses an unknown plugin in RoadRunner words', async () => {
    await expect(new Resetter([], recordingLogger()).reset('http')).rejects.toMatchObject({ code: 'RR_ERR_RESETTER_NO_SUCH_PLUGIN', message: 'no such plugin: http' });
  });

  it('wraps a failed reset with the cause and logs it', async () => {
    const cause = new RrError('RR_ERR_POOL_RESET_TIMEOUT', 'workers did not stop');
    const log = recordingLogger();
    const err = (await new Resetter([fakeResettable('http', { fail: cause })], log).reset('http').catch((e: unknown) => e)) as RrError;
    expect(err).toMatchObject({ code: 'RR_ERR_RESETTER_RESET_FAILED', plugin: 'http', message: 'reset of http failed: RR_ERR_POOL_RESET_TIMEOUT: workers did not stop' });
    expect(err.cause).toBe(cause);
    expect(log.find('plugin reset failed', 'error')).toHaveLength(1);
  });

  it('says what a foreign failure said', async () => {
    await expect(new Resetter([fakeResettable('http', { fail: new Error('spawn failed') })], recordingLogger()).reset('http')).rejects.toMatchObject({
      message: 'reset of http failed: spawn failed',
    });
    await expect(new Resetter([fakeResettable('http', { fail: 'odd' })], recordingLogger()).reset('http')).rejects.toMatchObject({
      message: 'reset of http failed: odd',
    });
  });

  it('joins a reset already running for the same plugin instead of starting another', async () => {
    const http = fakeResettable('http', { gated: true });
    const resetter = new Resetter([http], recordingLogger());
    const first = resetter.reset('http');
    const second = resetter.reset('http');
    http.release();
    await Promise.all([first, second]);
    expect(http.resets).toBe(1);
    // Once finished, the next call starts a new reset.
    const third = resetter.reset('http');
    http.release();
    await third;
    expect(http.resets).toBe(2);
  });

  it('refuses two resettables with one name', () => {
    expect(() => new Resetter([fakeResettable('http'), fakeResettable('http')], recordingLogger())).toThrow(
      expect.objectContaining({ code: 'RR_ERR_RESETTER_DUPLICATE_RESETTABLE' }),
    );
  });
});
