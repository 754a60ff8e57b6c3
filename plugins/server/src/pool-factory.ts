import type { Logger, NewPoolOptions, PoolFactory, WorkerPool } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import { RelayListener } from '@rr/goridge';
import { createPool } from '@rr/pool';
import type { Credentials } from './credentials.js';
import { workerEnv, type SharedWorkerEnv } from './env.js';
import { serverErrors } from './errors.js';

/** What the factory shares between every pool it creates. */
export interface ServerPoolFactoryOptions {
  /** `server.command`, used unless a pool's own `pool.command` is set. */
  command: readonly string[];
  /** `server.relay`, verbatim. */
  relay: string;
  env: SharedWorkerEnv;
  credentials: Credentials;
  /** The server plugin's logger. */
  logger: Logger;
}

/** The factory the plugin provides, plus what its `stop` needs. */
export interface ServerPoolFactory extends PoolFactory {
  /** The socket relay's listener, when `relay` is not `pipes` (its `address` has port 0 resolved). */
  readonly listener: RelayListener | undefined;
  /** Destroys every pool created here that its owner has not destroyed yet, closes the relay and refuses new pools. */
  destroyAll(): Promise<void>;
}

// Bounds each worker connection's PID handshake on the shared listener. Each pool still bounds the whole
// worker start by its own allocate_timeout; this is RoadRunner's default for it.
const HANDSHAKE_TIMEOUT_MS = 60_000;

/**
 * Builds the `server.poolFactory` implementation. For a tcp/unix relay it listens once, now, and every
 * pool shares that listener (RoadRunner listens once per server; pools listening on their own would
 * collide on the address). Each `newPool` resolves the command (`pool.command` ?? `server.command`) and
 * the environment ({@link workerEnv}, RR_MODE = `mode ?? name`), creates the pool with `@rr/pool`, and
 * resolves once its workers completed their handshake.
 *
 * @throws RR_ERR_SERVER_RELAY_LISTEN_FAILED (rejection) the relay address cannot be listened on
 */
export async function createServerPoolFactory(options: ServerPoolFactoryOptions): Promise<ServerPoolFactory> {
  const pools = new Set<WorkerPool>();
  let stopping = false;
  const log = options.logger;
  const listener = options.relay === 'pipes' ? undefined : await listen(options.relay, log);

  return {
    listener,

    /**
     * @throws RR_ERR_SERVER_STOPPED after `destroyAll`
     * @throws RR_ERR_POOL_* the pool's own failures (invalid config, workers that cannot start), unchanged;
     * anything else as RR_ERR_SERVER_POOL_START_FAILED
     */
    async newPool(request: NewPoolOptions): Promise<WorkerPool> {
      if (stopping) throw serverErrors.STOPPED(request.name);
      const mode = request.mode ?? request.name;
      const command = request.config.command ?? options.command;
      const pool = createPool({
        name: request.name,
        command,
        env: workerEnv(options.env, mode, request.env),
        relay: options.relay,
        listener,
        config: request.config,
        logger: request.logger,
        uid: options.credentials.uid,
        gid: options.credentials.gid,
      });
      pools.add(pool);
      try {
        await pool.start();
      } catch (err) {
        pools.delete(pool);
        await pool.destroy().catch(() => undefined);
        if (isRrError(err)) throw err;
        throw serverErrors.POOL_START_FAILED(request.name, err instanceof Error ? err.message : String(err), { cause: err });
      }
      log.debug('pool created', { pool: request.name, mode, command: command.join(' '), relay: listener?.address ?? 'pipes' });
      return pool;
    },

    async destroyAll(): Promise<void> {
      stopping = true;
      const alive = [...pools];
      pools.clear();
      // Owners normally destroy their pools in their own stop; destroy() is idempotent, so a second call is free.
      await Promise.all(alive.map((pool) => pool.destroy()));
      await listener?.close();
    },
  };
}

async function listen(relay: string, log: Logger): Promise<RelayListener> {
  let listener: RelayListener;
  try {
    listener = await RelayListener.listen(relay, { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
  } catch (err) {
    throw serverErrors.RELAY_LISTEN_FAILED(relay, err instanceof Error ? err.message : String(err), { cause: err });
  }
  // A stray connection (not one of our workers, or one that never completes the handshake) is only logged.
  listener.on('error', (err) => log.warn('a worker connection failed its handshake', { relay, code: err.code, error: err.message }));
  log.debug('relay listening', { relay, address: listener.address });
  return listener;
}
