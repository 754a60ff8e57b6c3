import { describe, expect, it } from 'vitest';
import { Informer } from '../src/index.js';
import { fakeSource, pipeline, pipelineState, state } from './helpers.js';

describe('Informer', () => {
  it('lists sources in registration order', () => {
    expect(new Informer([fakeSource('http', [1]), fakeSource('jobs', [2])]).list()).toEqual(['http', 'jobs']);
    expect(new Informer([]).list()).toEqual([]);
  });

  it("returns a plugin's workers, null for an unknown plugin", () => {
    const informer = new Informer([fakeSource('http', [10, 11])]);
    expect(informer.workers('http')).toEqual([state(10), state(11)]);
    expect(informer.workers('grpc')).toBeNull();
  });

  it('adds and removes workers through the source, which keeps its last worker', async () => {
    const http = fakeSource('http', [1]);
    const informer = new Informer([http]);
    await informer.addWorker('http');
    expect(http.pids).toEqual([1, 2]);
    expect(await informer.removeWorker('http')).toBe(true);
    expect(await informer.removeWorker('http')).toBe(false);
    expect(http.pids).toEqual([2]);
  });

  it.each(['addWorker', 'removeWorker'] as const)('%s refuses an unknown plugin and one without management, in RoadRunner words', async (method) => {
    const informer = new Informer([{ name: 'service', workers: () => [] }]);
    for (const plugin of ['nope', 'service']) {
      await expect(informer[method](plugin)).rejects.toMatchObject({
        code: 'RR_ERR_INFORMER_NO_WORKER_MANAGEMENT',
        message: `plugin ${plugin} does not support workers management`,
      });
    }
  });

  it('passes source failures through', async () => {
    const failing = fakeSource('http', [1], { addWorker: () => Promise.reject(new Error('spawn failed')) });
    await expect(new Informer([failing]).addWorker('http')).rejects.toThrow('spawn failed');
  });

  it('refuses two sources with one name', () => {
    expect(() => new Informer([fakeSource('http', []), fakeSource('http', [])])).toThrow(expect.objectContaining({ code: 'RR_ERR_INFORMER_DUPLICATE_SOURCE' }));
  });

  describe('jobs', () => {
    it('is empty for an unknown plugin and for one without jobs', async () => {
      const informer = new Informer([fakeSource('http', [1])]);
      expect(await informer.jobs('http')).toEqual([]);
      expect(await informer.jobs('jobs')).toEqual([]);
    });

    it("returns the source's pipelines, sync or async", async () => {
      const informer = new Informer([fakeSource('jobs', [1], { jobsState: async () => [pipelineState] }), fakeSource('queue', [2], { jobsState: async () => [pipelineState, pipelineState] })]);
      expect(await informer.jobs('jobs')).toEqual([pipeline]);
      expect(await informer.jobs('queue')).toHaveLength(2);
    });

    it('gives up after the deadline', async () => {
      const informer = new Informer([fakeSource('jobs', [1], { jobsState: () => new Promise(() => undefined) })], { jobsTimeoutMs: 10 });
      await expect(informer.jobs('jobs')).rejects.toMatchObject({ code: 'RR_ERR_INFORMER_JOBS_TIMEOUT' });
    });

    it('passes a failure through', async () => {
      const informer = new Informer([fakeSource('jobs', [1], { jobsState: () => Promise.reject(new Error('driver down')) })]);
      await expect(informer.jobs('jobs')).rejects.toThrow('driver down');
    });
  });
});
