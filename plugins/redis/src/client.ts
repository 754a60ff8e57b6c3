import { readFile } from 'node:fs/promises';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from './config.js';
import { redisErrors } from './errors.js';

/** How the addresses are used: RoadRunner's (go-redis UniversalClient's) rule. */
export type RedisMode = 'single' | 'sentinel' | 'cluster';

/** One ioredis client of either kind; both expose the same commands, `status` and events. */
export type RedisClient = Redis | Cluster;

/** go-redis pool keys with no ioredis counterpart: accepted so RoadRunner configs load, and ignored. */
export const IGNORED_KEYS = ['pool_size', 'min_idle_conns', 'max_conn_age', 'pool_timeout', 'idle_timeout', 'idle_check_freq'] as const;

export function modeOf(config: RedisConfig): RedisMode {
  if (config.master_name !== '') return 'sentinel';
  return config.addrs.length > 1 ? 'cluster' : 'single';
}

/** How the connection is named in errors and logs. */
export function describeTarget(config: RedisConfig): string {
  const mode = modeOf(config);
  if (mode === 'sentinel') return `sentinel master ${config.master_name} via ${config.addrs.join(',')}`;
  return mode === 'cluster' ? `cluster ${config.addrs.join(',')}` : (config.addrs[0] as string);
}

export function parseAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at);
  // ioredis wants a bare IPv6 host, YAML has it bracketed.
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port: Number(address.slice(at + 1)) };
}

/**
 * Reconnect delays: doubling from min_retry_backoff up to max_retry_backoff, forever. ioredis calls this
 * with a 1-based attempt count that resets on every successful connection.
 */
export function backoff(config: RedisConfig): (attempt: number) => number {
  return (attempt) => Math.min(config.max_retry_backoff, config.min_retry_backoff * 2 ** Math.min(attempt - 1, 30));
}

async function tlsOptions(config: RedisConfig): Promise<ConnectionOptions | undefined> {
  const tls = config.tls;
  if (tls === undefined) return undefined;
  const read = async (key: 'root_ca' | 'cert' | 'key', file: string | undefined): Promise<Buffer | undefined> => {
    if (file === undefined || file === '') return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      throw redisErrors.TLS_FILE(key, file, (err as Error).message, { cause: err });
    }
  };
  const [ca, cert, key] = await Promise.all([read('root_ca', tls.root_ca), read('cert', tls.cert), read('key', tls.key)]);
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
}

/**
 * Builds the ioredis client for a validated config, named `name` in CLIENT LIST, without waiting for it to connect (it starts
 * connecting at once and keeps reconnecting in the background).
 *
 * Fail-fast settings: the offline queue is off, so a command issued while Redis is away rejects at once
 * instead of waiting for a reconnect; a command already on the wire when the connection drops survives
 * `max_retries` reconnection attempts; every command is bounded by the longer of read_timeout and
 * write_timeout (plus `blockingMs` for a connection that sends blocking reads).
 *
 * @throws RR_ERR_REDIS_TLS_FILE when a tls file cannot be read.
 */
export async function createClient(config: RedisConfig, name: string, extra: { blockingMs?: number } = {}): Promise<RedisClient> {
  const tls = await tlsOptions(config);
  const common = {
    ...(config.username === '' ? {} : { username: config.username }),
    ...(config.password === '' ? {} : { password: config.password }),
    ...(tls === undefined ? {} : { tls }),
    connectTimeout: config.dial_timeout,
    // A blocking read (XREADGROUP BLOCK) may rightly take its BLOCK time before the server answers.
    commandTimeout: Math.max(config.read_timeout, config.write_timeout) + (extra.blockingMs ?? 0),
    maxRetriesPerRequest: config.max_retries,
    // Shows in CLIENT LIST; Redis refuses spaces and newlines in a connection name.
    connectionName: name.replace(/[^\w.:-]/g, '_'),
  } satisfies RedisOptions;

  const mode = modeOf(config);
  if (mode === 'cluster') {
    const options: ClusterOptions = {
      enableOfflineQueue: false,
      clusterRetryStrategy: backoff(config),
      // go-redis' ReadOnly sends reads to replicas; its latency and random routing may pick either.
      scaleReads: config.route_by_latency || config.route_randomly ? 'all' : config.read_only ? 'slave' : 'master',
      // Keys of one batch usually live in different slots; auto-pipelining still sends them in one write per node.
      enableAutoPipelining: true,
      slotsRefreshTimeout: config.dial_timeout,
      redisOptions: common,
    };
    return new Cluster(config.addrs.map(parseAddress), options);
  }

  const options: RedisOptions = {
    ...common,
    db: config.db,
    enableOfflineQueue: false,
    retryStrategy: backoff(config),
  };
  if (mode === 'sentinel') {
    return new Redis({
      ...options,
      sentinels: config.addrs.map(parseAddress),
      name: config.master_name,
      ...(config.sentinel_password === '' ? {} : { sentinelPassword: config.sentinel_password }),
      sentinelRetryStrategy: backoff(config),
      sentinelCommandTimeout: config.dial_timeout,
    });
  }
  return new Redis({ ...options, ...parseAddress(config.addrs[0] as string) });
}
