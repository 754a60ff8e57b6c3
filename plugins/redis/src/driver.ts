import type { KvDriver, KvOpenContext } from '@rr/contracts';
import { createClient, describeTarget, IGNORED_KEYS, modeOf } from './client.js';
import { redisConfigSchema, type RedisConfig } from './config.js';
import { Connection } from './connection.js';
import { RedisStorage, type RedisStorageInternals } from './storage.js';

/**
 * Opens one kv storage on Redis. Waits for the first connection attempt (about dial_timeout at most):
 * when Redis is down the storage opens anyway, logs a warn and reconnects in the background, and its
 * calls fail with RR_ERR_REDIS_UNAVAILABLE until Redis answers; a refused password or db is a config
 * mistake and fails the open.
 *
 * @throws RR_ERR_REDIS_AUTH_FAILED, RR_ERR_REDIS_DB_REJECTED, RR_ERR_REDIS_TLS_FILE
 */
export async function openRedisStorage(ctx: KvOpenContext<RedisConfig>, internals: RedisStorageInternals = {}): Promise<RedisStorage> {
  const { config, storage, logger } = ctx;
  const mode = modeOf(config);
  const address = describeTarget(config);
  const conn = new Connection(await createClient(config, `rr:kv:${storage}`), address, { kind: 'kv storage', name: storage }, config.db, logger);
  try {
    // A sentinel answers first, then the master: two connection attempts.
    await conn.firstConnect(config.dial_timeout * (mode === 'sentinel' ? 2 : 1) + 1000);
  } catch (err) {
    await conn.close(AbortSignal.timeout(1000));
    throw err;
  }
  const ignored = IGNORED_KEYS.filter((key) => config[key] !== 0);
  if (ignored.length > 0) logger.debug('redis options ignored: ioredis keeps one connection per node and has no pool', { keys: ignored });
  if (mode === 'cluster' && config.db !== 0) logger.warn('redis db is ignored in cluster mode: a cluster has only db 0', { db: config.db });
  logger.debug('redis storage opened', { address, mode, prefix: config.prefix, connected: conn.ready });
  return new RedisStorage(conn, mode, config.prefix, internals);
}

/** The `redis` kv driver: `driver: redis` in a `kv.<storage>` section. */
export function createRedisDriver(): KvDriver<RedisConfig> {
  return { name: 'redis', configSchema: redisConfigSchema, open: (ctx) => openRedisStorage(ctx) };
}
