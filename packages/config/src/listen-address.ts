/** A listen address split into what `net.Server.listen` takes (shared by every plugin with a listener). */
export interface ListenAddress {
  /** Host to bind; `undefined` means every interface (RoadRunner's `:8080`). */
  host: string | undefined;
  port: number;
}

/**
 * Parses RoadRunner's `host:port` listen address: `127.0.0.1:8080`, `:8080` (all interfaces),
 * `0.0.0.0:8080`, `[::1]:8080`, `localhost:8080`. Port 0 picks a free port.
 *
 * @returns the address, or a reason string when it is malformed.
 */
export function parseListenAddress(text: string): ListenAddress | string {
  const at = text.lastIndexOf(':');
  if (at < 0) return `'${text}' has no port: use host:port, e.g. 127.0.0.1:8080 or :8080`;
  let host = text.slice(0, at);
  const portText = text.slice(at + 1);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) return `'${text}' has an invalid port '${portText}' (0..65535)`;
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) return `'${text}' has an unterminated IPv6 bracket`;
    host = host.slice(1, -1);
  } else if (host.includes(':')) {
    return `'${text}': write IPv6 hosts in brackets, e.g. [::1]:8080`;
  }
  if (/[\s/]/.test(host)) return `'${text}' has an invalid host '${host}'`;
  return { host: host === '' ? undefined : host, port: Number(portText) };
}

/** `host:port` for logs, with IPv6 in brackets. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
