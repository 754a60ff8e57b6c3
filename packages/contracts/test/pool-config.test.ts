import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { poolConfigSchema } from '../src/index.js';

describe('poolConfigSchema', () => {
  it('applies RoadRunner defaults', () => {
    const out = poolConfigSchema.parse({});
    expect(out).toMatchObject({
      num_workers: availableParallelism(),
      max_jobs: 0,
      max_queue_size: 0,
      allocate_timeout: 60_000,
      reset_timeout: 60_000,
      destroy_timeout: 60_000,
      stream_timeout: 60_000,
      debug: false,
    });
    expect(out.supervisor).toBeUndefined();
  });

  it('reads Go durations, string numbers from env expansion and the supervisor', () => {
    const out = poolConfigSchema.parse({
      num_workers: '4',
      allocate_timeout: '2s',
      supervisor: { watch_tick: '1s', exec_ttl: '30s', max_worker_memory: 128 },
      command: 'php worker.php',
    });
    expect(out).toMatchObject({ num_workers: 4, allocate_timeout: 2000, command: ['php', 'worker.php'] });
    expect(out.supervisor).toEqual({ watch_tick: 1000, ttl: 0, idle_ttl: 0, max_worker_memory: 128, exec_ttl: 30_000 });
  });

  it('rejects unknown keys and more than 500 workers', () => {
    const res = poolConfigSchema.safeParse({ num_workers: 501, max_jobz: 1 });
    expect(res.success).toBe(false);
    const codes = res.error?.issues.map((i) => [i.path.join('.'), i.code]);
    expect(codes).toEqual(expect.arrayContaining([['num_workers', 'too_big'], ['', 'unrecognized_keys']]));
  });
});
