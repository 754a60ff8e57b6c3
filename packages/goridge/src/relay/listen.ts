import { lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import type { RrError } from '@rr/errors';
import { goridgeErrors } from '../errors.js';
import { formatDsn, parseDsn } from './dsn.js';

/** A listening server and the address it actually listens on (port 0 resolved). */
export interface Listening {
  server: Server;
  address: string;
}

/**
 * Listens on a tcp or unix DSN. A unix socket file left behind by a dead process is removed first; a file
 * that is not a socket, or a socket someone still listens on, is left alone. Later server errors (accept
 * failures such as EMFILE) go to `onError` as RR_ERR_GORIDGE_IO instead of crashing the process.
 *
 * @throws RR_ERR_GORIDGE_BAD_DSN, RR_ERR_GORIDGE_LISTEN_FAILED (rejection).
 */
export async function listenOn(dsn: string, onError: (err: RrError) => void): Promise<Listening> {
  const target = parseDsn(dsn);
  if (target.kind === 'unix') await removeStaleSocket(dsn, target.path);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(goridgeErrors.LISTEN_FAILED(dsn, err.message, { cause: err })));
    server.listen(target.kind === 'tcp' ? { host: target.host || undefined, port: target.port } : { path: target.path }, resolve);
  });
  const info = server.address() as AddressInfo;
  const address = target.kind === 'unix' ? formatDsn(target) : formatDsn({ kind: 'tcp', host: target.host || info.address, port: info.port });
  server.removeAllListeners('error');
  server.on('error', (err) => onError(goridgeErrors.IO(`accepting connections on ${address}`, err.message, { cause: err })));
  return { server, address };
}

/**
 * Stops accepting connections. Node removes a unix socket file at once; established connections are the
 * caller's business (the server's own close callback would wait for all of them, so it is not awaited).
 */
export function stopListening(listening: Listening): void {
  listening.server.close();
}

async function removeStaleSocket(dsn: string, path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined) return;
  if (!stat.isSocket()) throw goridgeErrors.LISTEN_FAILED(dsn, `${path} exists and is not a socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw goridgeErrors.LISTEN_FAILED(dsn, `another process listens on ${path}`);
  await unlink(path);
}
