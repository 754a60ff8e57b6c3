import type { KvDriver, KvOpenContext } from '@rr/contracts';
import { memcachedConfigSchema, type MemcachedConfig } from './config.js';
import { ServerConnection } from './connection.js';
import { MemcachedStorage } from './storage.js';

/**
 * Opens one kv storage on the memcached servers of `addr`. Each server gets one connection, made on
 * demand. The open asks every server for a meta no-op: an unreachable server only logs a warn (the storage
 * works once it answers), a server that does not speak the meta protocol fails the open.
 *
 * @throws RR_ERR_MEMCACHED_PROTOCOL
 */
export async function openMemcachedStorage(ctx: KvOpenContext<MemcachedConfig>): Promise<MemcachedStorage> {
  const { config, storage, logger } = ctx;
  const servers = config.addr.map((address) => new ServerConnection(address, storage, config.timeout, logger));
  const opened = new MemcachedStorage(servers, storage);
  try {
    await opened.probe();
  } catch (err) {
    await opened.close(AbortSignal.timeout(1000));
    throw err;
  }
  logger.debug('memcached storage opened', { addr: config.addr, timeout_ms: config.timeout });
  return opened;
}

/** The `memcached` kv driver: `driver: memcached` in a `kv.<storage>` section. */
export function createMemcachedDriver(): KvDriver<MemcachedConfig> {
  return { name: 'memcached', configSchema: memcachedConfigSchema, open: openMemcachedStorage };
}
