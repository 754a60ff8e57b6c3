import { bool, duration, int, stringOrList } from '@rr/config';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

// Shared by every plugin that owns a pool (http, jobs, grpc): RoadRunner's `<plugin>.pool` keys and defaults.
const supervisorSchema = z
  .strictObject({
    watch_tick: duration().default(5_000).describe('How often the supervisor checks workers (default 5s)'),
    ttl: duration().default(0).describe('Soft maximum worker lifetime; a busy worker is retired after its request (0 = off)'),
    idle_ttl: duration().default(0).describe('Soft maximum idle time after first use (0 = off)'),
    max_worker_memory: int({ min: 0 }).default(0).describe('Soft RSS limit in MB; a busy worker is retired after its request (0 = off)'),
    exec_ttl: duration().default(0).describe('Hard per-request deadline; the worker is killed when it elapses (0 = off)'),
  })
  .describe('Worker supervisor');

const dynamicAllocatorSchema = z
  .strictObject({
    max_workers: int({ min: 0 }).default(10).describe('Extra workers that may be spawned when none is free'),
    spawn_rate: int({ min: 1, max: 100 }).default(5).describe('Workers spawned per burst (at most one burst per second)'),
    idle_timeout: duration().default(60_000).describe('Dynamic workers idle this long are removed (default 1m, minimum 1s)'),
  })
  .describe('Spawn extra workers under load');

/** The `pool` section of http, jobs, grpc… Defaults are RoadRunner's. */
export const poolConfigSchema = z
  .strictObject({
    command: stringOrList().optional().describe('Worker command for this pool only (overrides server.command)'),
    num_workers: int({ min: 0, max: 500 })
      .default(0)
      .transform((n) => (n === 0 ? availableParallelism() : n))
      .describe('Workers started up front (0 = number of CPUs; at most 500)'),
    max_jobs: int({ min: 0 }).default(0).describe('Executions per worker before it is replaced (0 = unlimited)'),
    max_queue_size: int({ min: 0 }).default(0).describe('Requests allowed to wait for a worker (0 = unlimited)'),
    allocate_timeout: duration().default(60_000).describe('How long a request waits for a free worker (default 60s)'),
    reset_timeout: duration().default(60_000).describe('Time allowed for a reset before busy workers are killed (default 60s)'),
    destroy_timeout: duration().default(60_000).describe('Graceful stop time per worker at shutdown (default 60s)'),
    stream_timeout: duration().default(60_000).describe('Time allowed to cancel a streamed response (default 60s)'),
    debug: bool().default(false).describe('A fresh worker per request, discarded after it'),
    dynamic_allocator: dynamicAllocatorSchema.optional(),
    supervisor: supervisorSchema.optional(),
  })
  .describe('Worker pool');

export type PoolConfigInput = z.input<typeof poolConfigSchema>;
