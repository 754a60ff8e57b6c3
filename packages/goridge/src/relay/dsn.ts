import { goridgeErrors } from '../errors.js';

/** A parsed relay or RPC address. */
export type Dsn = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

const TCP = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]]*):(\d{1,5})$/;
const UNIX = /^unix:\/\/(.+)$/;

/**
 * Parses `tcp://host:port` (IPv6 as `[::1]`; an empty host means every interface when listening and
 * localhost when connecting, as in Go) or `unix://path` (`unix:///tmp/rr.sock` → `/tmp/rr.sock`).
 *
 * @throws RR_ERR_GORIDGE_BAD_DSN anything else, including `pipes`.
 */
export function parseDsn(dsn: string): Dsn {
  const tcp = TCP.exec(dsn);
  if (tcp !== null) {
    const port = Number(tcp[2]);
    if (port > 65535) throw goridgeErrors.BAD_DSN(dsn);
    return { kind: 'tcp', host: (tcp[1] as string).replace(/^\[|\]$/g, ''), port };
  }
  const unix = UNIX.exec(dsn);
  if (unix !== null) return { kind: 'unix', path: unix[1] as string };
  throw goridgeErrors.BAD_DSN(dsn);
}

/** Formats a parsed address back into a DSN. */
export function formatDsn(dsn: Dsn): string {
  if (dsn.kind === 'unix') return `unix://${dsn.path}`;
  return `tcp://${dsn.host.includes(':') ? `[${dsn.host}]` : dsn.host}:${dsn.port}`;
}
