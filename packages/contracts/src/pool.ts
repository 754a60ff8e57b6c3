import { ref } from '@rr/kernel';
import type { PoolConfig, WorkerPool } from '@rr/pool';
import type { Logger } from './logger.js';

export type {
  ExecOptions,
  ExecResult,
  Payload,
  PoolConfig,
  PoolStats,
  ProcessState,
  WorkerPool,
  WorkerStatusName,
} from '@rr/pool';

/** What a plugin asks the server plugin for. */
export interface NewPoolOptions {
  /** The owning plugin id; also the RR_MODE given to workers unless `mode` says otherwise. */
  name: string;
  /** RR_MODE (http, jobs, grpc, tcp…); defaults to `name`. */
  mode?: string | undefined;
  config: PoolConfig;
  /** Extra environment for this pool's workers (after server.env). */
  env?: Readonly<Record<string, string>> | undefined;
  logger: Logger;
}

/** Creates worker pools with the server plugin's command, relay, env and user. */
export interface PoolFactory {
  /** Creates and starts a pool; resolves when its workers are ready. */
  newPool(options: NewPoolOptions): Promise<WorkerPool>;
}

export const poolFactoryRef = ref<PoolFactory>('server.poolFactory');
