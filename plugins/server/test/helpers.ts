import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loggerRef, poolConfigSchema, poolFactoryRef, type PoolFactory, type WorkerPool } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { z } from 'zod';

/** The fixture worker: answers with its environment, pid, uid and gid. */
export const ENV_WORKER = fileURLToPath(new URL('./fixtures/env-worker.php', import.meta.url));
export const PHP = '/usr/bin/php';
export const ECHO_WORKER = fileURLToPath(new URL('../../../php-sdk/examples/echo-worker.php', import.meta.url));

/** What the fixture worker answers. */
export interface WorkerReport {
  env: Record<string, string>;
  pid: number;
  uid: number;
  gid: number;
}

/** Sends one request and decodes the fixture worker's answer. */
export async function ask(pool: WorkerPool): Promise<WorkerReport> {
  const result = await pool.exec({ context: Buffer.alloc(0), body: Buffer.from('report'), codec: 0 });
  return JSON.parse(result.body.toString('utf8')) as WorkerReport;
}

/** A port that was free a moment ago: bind 127.0.0.1:0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A temp dir removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a {@link poolOwner} exposes to the test. */
export interface OwnerHandle {
  pool?: WorkerPool;
  factory?: PoolFactory;
}

/**
 * An http-like plugin defined in the test: owns a `pool` section, asks `server.poolFactory` for a pool in
 * init, and (unless `destroyOnStop` is false) destroys it in stop, as http, jobs and grpc do.
 */
export function poolOwner(
  handle: OwnerHandle,
  options: { id?: string; mode?: string; env?: Record<string, string>; destroyOnStop?: boolean } = {},
): Plugin {
  const id = options.id ?? 'http';
  return definePlugin({
    id,
    kernel: '^1.0.0',
    config: { schema: z.strictObject({ pool: poolConfigSchema.default(poolConfigSchema.parse({})) }) },
    needs: { pools: poolFactoryRef, logger: loggerRef },
    async init({ config, needs }) {
      handle.factory = needs.pools;
      const pool = await needs.pools.newPool({ name: id, mode: options.mode, config: config.pool, env: options.env, logger: needs.logger.named(id) });
      handle.pool = pool;
      return { stop: options.destroyOnStop === false ? undefined : () => pool.destroy() };
    },
  });
}
