import type { IncomingMessage } from 'node:http';
import { httpRequestState, type HttpMiddleware } from '@rr/contracts';
import type { ProxyIpParserConfig } from './config.js';
import { proxyIpParserErrors } from './errors.js';
import { firstListed, forwardedFor, parseSubnet, subnetMatcher, type Subnet } from './ip.js';
import { checkHeaderName } from './validate.js';

type Reader = (value: string) => string | undefined;

/** How each header's value names the client: `Forwarded` by RFC 7239, the rest as an address list. */
function readerFor(name: string): Reader {
  return name.toLowerCase() === 'forwarded' ? forwardedFor : firstListed;
}

/**
 * The client address the trusted headers of `req` name, trying each header in order; undefined when
 * none yields a valid address.
 */
function resolve(req: IncomingMessage, readers: readonly [string, Reader][]): string | undefined {
  for (const [key, read] of readers) {
    const raw = req.headers[key];
    // Repeated lines of one header are one list, the first line the earliest hop.
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (value === undefined || value.trim() === '') continue;
    const address = read(value);
    if (address !== undefined) return address;
  }
  return undefined;
}

/**
 * The proxy_ip_parser middleware: when the peer is inside a trusted subnet, PHP's remoteAddr becomes the
 * client its headers name (`httpRequestState(req).remoteAddr`); otherwise the headers are ignored.
 *
 * @throws RR_ERR_PROXY_IP_PARSER_INVALID_SUBNET for an entry of trusted_subnets that is not a CIDR
 * @throws RR_ERR_PROXY_IP_PARSER_INVALID_HEADER for an entry of trusted_headers that is not a header name
 */
export function createProxyIpParserMiddleware(config: ProxyIpParserConfig): HttpMiddleware {
  const subnets = config.trusted_subnets.map((cidr) => {
    const subnet: Subnet = parseSubnet(cidr);
    if (!subnet.ok) throw proxyIpParserErrors.INVALID_SUBNET(cidr, subnet.reason);
    return subnet;
  });
  const readers = config.trusted_headers.map((name): [string, Reader] => {
    if (checkHeaderName(name) !== undefined) throw proxyIpParserErrors.INVALID_HEADER(name);
    return [name.toLowerCase(), readerFor(name)];
  });
  const trusted = subnetMatcher(subnets);
  return {
    name: 'proxy_ip_parser',
    handle(req, _res, next) {
      const peer = req.socket.remoteAddress;
      if (peer !== undefined && trusted(peer)) {
        const client = resolve(req, readers);
        if (client !== undefined) httpRequestState(req).remoteAddr = client;
      }
      next();
    },
  };
}
