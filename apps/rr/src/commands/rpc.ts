import { isAbsolute, resolve } from 'node:path';
import { loadConfig } from '@rr/config';
import { RpcClient } from '@rr/goridge';
import type { GlobalFlags } from '../args.js';
import { cliErrors } from '../errors.js';

const DEFAULT_RPC = 'tcp://127.0.0.1:6001';

/**
 * The RPC address of the rr that `flags` describe: rebuilt from the same config, overrides and dotenv
 * as `rr serve` used, like RoadRunner's CLI does. An empty host means the local machine.
 */
export async function rpcAddress(flags: GlobalFlags, cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const file = isAbsolute(flags.config) ? flags.config : resolve(cwd, flags.config);
  const loaded = await loadConfig({ file, workDir: flags.workDir, overrides: flags.overrides, dotenv: flags.dotenv, env });
  const rpc = loaded.sections.rpc as { listen?: unknown } | undefined;
  const listen = typeof rpc?.listen === 'string' && rpc.listen !== '' ? rpc.listen : DEFAULT_RPC;
  return listen.replace(/^tcp:\/\/(:|0\.0\.0\.0:|\[::\]:)/, 'tcp://127.0.0.1:');
}

/** Connects to a running rr's RPC, with the CLI's coded error when nobody listens. */
export async function connectRpc(address: string): Promise<RpcClient> {
  try {
    return await RpcClient.connect(address);
  } catch (err) {
    throw cliErrors.RPC_UNREACHABLE(address, { cause: err });
  }
}
