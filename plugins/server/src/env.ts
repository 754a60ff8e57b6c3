import { expandEnv, type Env } from '@rr/config';
import { parseDsn } from '@rr/goridge';

/**
 * The RoadRunner release whose behaviour rr reproduces; workers get it as RR_VERSION when the rr binary
 * did not put its own version into the environment.
 */
export const RR_COMPAT_VERSION = '2025.1.15';

/**
 * RR_VERSION for workers: rr's `RR_VERSION` environment variable (the binary sets it from its own
 * version; the kernel cannot, as it never touches `process`) without a leading `v`, else
 * {@link RR_COMPAT_VERSION}.
 */
export function workerVersion(env: Readonly<Env>): string {
  const own = env.RR_VERSION?.trim();
  return own === undefined || own === '' ? RR_COMPAT_VERSION : own.replace(/^v/, '');
}

/**
 * Expands `$VAR` / `${VAR}` in `server.env` (or `on_init.env`) values against rr's environment, as
 * RoadRunner's `os.ExpandEnv` does. Keys are already upper-cased by the schema.
 *
 * @remarks The config loader has expanded every string once already; this second pass is RoadRunner's
 * too. It matters when a variable's value itself holds `$NAME`, and it means a literal `$` before a name
 * needs `$$$$` in YAML (the loader turns it into `$$`, this pass into `$`).
 */
export function expandEnvValues(values: Readonly<Record<string, string>>, env: Readonly<Env>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) out[key] = expandEnv(value, env);
  return out;
}

/**
 * RR_RPC for workers from the raw `rpc` section: `rpc.listen` verbatim, except that an empty TCP host
 * (`tcp://:6001`, where the rpc plugin listens on every interface) becomes `127.0.0.1`, because PHP's
 * relay parser cannot read an address without a host. `undefined` (no RR_RPC) when there is no `rpc`
 * section or it has no non-empty string `listen`: RoadRunner sets RR_RPC only then, and PHP's default,
 * `tcp://127.0.0.1:6001`, equals the rpc plugin's.
 */
export function rpcAddressForWorkers(rpcSection: unknown): string | undefined {
  if (typeof rpcSection !== 'object' || rpcSection === null) return undefined;
  const listen = (rpcSection as { listen?: unknown }).listen;
  if (typeof listen !== 'string' || listen.trim() === '') return undefined;
  try {
    const address = parseDsn(listen);
    if (address.kind === 'tcp' && address.host === '') return `tcp://127.0.0.1:${String(address.port)}`;
  } catch {
    // Not an address this plugin can read; the rpc plugin's own validation reports it.
  }
  return listen;
}

/** What the server plugin knows about every worker's environment, resolved once at init. */
export interface SharedWorkerEnv {
  /** rr's own environment. */
  base: Readonly<Env>;
  /** `server.relay`, verbatim. */
  relay: string;
  /** From {@link rpcAddressForWorkers}. */
  rpc: string | undefined;
  /** `server.env`, already expanded. */
  server: Readonly<Record<string, string>>;
  /** From {@link workerVersion}. */
  version: string;
}

/**
 * The complete environment of one pool's workers, in RoadRunner's order (a later entry wins): rr's
 * environment, RR_RELAY, RR_RPC, `server.env`, RR_VERSION, then the pool's extras: RR_MODE and the
 * owner's `env`.
 */
export function workerEnv(shared: SharedWorkerEnv, mode: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  const put = (key: string, value: string) => {
    // Re-inserting moves the key to the end, so the object's order is the order of precedence.
    delete env[key];
    env[key] = value;
  };
  for (const [key, value] of Object.entries(shared.base)) if (value !== undefined) put(key, value);
  put('RR_RELAY', shared.relay);
  if (shared.rpc !== undefined) put('RR_RPC', shared.rpc);
  for (const [key, value] of Object.entries(shared.server)) put(key, value);
  put('RR_VERSION', shared.version);
  put('RR_MODE', mode);
  for (const [key, value] of Object.entries(extra)) put(key, value);
  return env;
}

/** The environment of the on_init command: rr's environment, then `on_init.env` (expanded). */
export function onInitEnv(base: Readonly<Env>, own: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  return { ...env, ...expandEnvValues(own, base) };
}
