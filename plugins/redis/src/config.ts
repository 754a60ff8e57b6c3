import { bool, clientTls, duration, int } from '@rr/config';
import { z } from 'zod';

const DEFAULT_ADDRESS = '127.0.0.1:6379';

const address = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:6379')
  .describe('host:port of a Redis node (or of a sentinel when master_name is set)');

/** go-redis reads 0 as "use the default", so a RoadRunner config with `dial_timeout: 0` keeps meaning 5s. */
const zeroMeans = (fallbackMs: number, what: string) =>
  duration()
    .default(fallbackMs)
    .transform((ms) => (ms === 0 ? fallbackMs : ms))
    .describe(what);

/** Accepted so RoadRunner configs load unchanged; ioredis multiplexes one connection per node and has no pool. */
const ignoredDuration = (what: string) => duration().default(0).describe(`${what} (ignored: ioredis has no connection pool)`);
const ignoredInt = (what: string) => int({ min: 0 }).default(0).describe(`${what} (ignored: ioredis has no connection pool)`);

const tlsSchema = clientTls('Connect over TLS (its presence enables TLS)');

/**
 * The redis driver's options: the root `redis` section (RoadRunner's "global" redis config, used by every
 * `kv.<storage>` with `driver: redis` and no `config`, and by every redis jobs pipeline without its own
 * `redis` option), each `kv.<storage>.config` and each pipeline's `redis` option. RoadRunner's keys
 * (go-redis UniversalOptions) plus `prefix`.
 */
export const redisConfigSchema = z
  .strictObject({
    addrs: z
      .union([
        // `addrs: ${REDIS_ADDRS}` expands to one string.
        z
          .string()
          .transform((v) => v.split(',').map((a) => a.trim()).filter((a) => a !== ''))
          .pipe(z.array(address)),
        z.array(address),
      ])
      .default([DEFAULT_ADDRESS])
      // go-redis falls back to the local default for an empty list too.
      .transform((addrs) => (addrs.length === 0 ? [DEFAULT_ADDRESS] : addrs))
      .describe(
        'Redis addresses (host:port; a comma-separated string is split): one = a single node, several = a cluster (the seed nodes), ' +
          'with master_name = the sentinels. Default ["127.0.0.1:6379"]',
      ),
    master_name: z.string().default('').describe('Sentinel mode: the name of the master the sentinels in addrs monitor'),
    username: z.string().default('').describe('ACL username (Redis 6+); empty = the default user'),
    password: z.string().default('').describe('Password (AUTH) for the Redis nodes'),
    db: int({ min: 0 }).default(0).describe('Database index to SELECT (single node and sentinel; a cluster has only db 0)'),
    sentinel_password: z.string().default('').describe('Password of the sentinels (sentinel requirepass), with master_name'),
    route_by_latency: bool()
      .default(false)
      .describe('Cluster: also read from replicas (ioredis has no latency routing: reads are spread over the master and its replicas)'),
    route_randomly: bool().default(false).describe('Cluster: read from a random node of the slot (master or replica)'),
    read_only: bool().default(false).describe('Cluster: send reads to replicas (READONLY); ignored for a single node and sentinel'),
    max_retries: int({ min: -1 })
      .default(3)
      .transform((n) => (n === 0 ? 3 : n === -1 ? 0 : n))
      .describe('Reconnect attempts a command sent just before a connection loss survives before it fails (default 3; 0 = default; -1 = none)'),
    dial_timeout: zeroMeans(5000, 'Timeout of one connection attempt, including AUTH and SELECT (default 5s)'),
    min_retry_backoff: zeroMeans(8, 'First delay between reconnection attempts, doubled on each failure (default 8ms)'),
    max_retry_backoff: zeroMeans(512, 'Largest delay between reconnection attempts (default 512ms)'),
    read_timeout: zeroMeans(3000, 'A command fails with RR_ERR_REDIS_UNAVAILABLE when Redis has not answered within this long (default 3s)'),
    write_timeout: duration()
      .default(0)
      .describe('Counts together with read_timeout: a command may take the longer of the two (default: read_timeout)'),
    pool_size: ignoredInt('go-redis pool size'),
    min_idle_conns: ignoredInt('go-redis idle connections kept open'),
    max_conn_age: ignoredDuration('go-redis connection lifetime'),
    pool_timeout: ignoredDuration('go-redis wait for a pooled connection'),
    idle_timeout: ignoredDuration('go-redis idle connection timeout'),
    idle_check_freq: ignoredDuration('go-redis idle connection reaper interval'),
    tls: tlsSchema.optional(),
    prefix: z
      .string()
      .default('')
      .describe(
        'rr extension: prepended to every key, so storages and apps can share a database. Clear then deletes only prefix* keys ' +
          '(SCAN + UNLINK); without a prefix Clear runs FLUSHDB, as RoadRunner does',
      ),
  })
  .describe('The redis kv and jobs drivers: the global Redis connection of kv storages with driver redis and no config of their own, and of redis jobs pipelines without a redis option');

/** The resolved redis driver options. */
export type RedisConfig = z.output<typeof redisConfigSchema>;
/** The redis driver options as written in YAML. */
export type RedisConfigInput = z.input<typeof redisConfigSchema>;
