import { BlockList, isIP } from 'node:net';

/** A parsed CIDR, or why it is not one. */
export type Subnet = { ok: true; address: string; prefix: number; family: 'ipv4' | 'ipv6' } | { ok: false; reason: string };

/** Parses `10.0.0.0/8` or `fc00::/7` as Go's net.ParseCIDR does (a bare address is refused, as there). */
export function parseSubnet(cidr: string): Subnet {
  const slash = cidr.indexOf('/');
  if (slash < 0) return { ok: false, reason: 'no /prefix length' };
  const address = cidr.slice(0, slash);
  const bits = cidr.slice(slash + 1);
  const version = isIP(address);
  if (version === 0 || address.includes('%')) return { ok: false, reason: `${JSON.stringify(address)} is not an IP address` };
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return { ok: false, reason: `prefix length must be 0..${max}` };
  return { ok: true, address, prefix: Number(bits), family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** IPv4 clients of a dual-stack listener appear as `::ffff:a.b.c.d`; Go sees them as IPv4. */
export function unmapIPv4(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The trusted subnets as a matcher. */
export function subnetMatcher(subnets: readonly Extract<Subnet, { ok: true }>[]): (address: string) => boolean {
  const list = new BlockList();
  for (const s of subnets) list.addSubnet(s.address, s.prefix, s.family);
  return (address) => {
    const ip = unmapIPv4(address);
    const version = isIP(ip);
    return version !== 0 && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * One address from a header value, or undefined: quotes, `[v6]:port` brackets and an IPv4 `:port` are
 * stripped; anything that is not then an IP address (RFC 7239's `unknown` and `_hidden` names, a
 * hostname, garbage) is refused, so PHP never gets a remoteAddr that is not an address.
 */
export function parseAddress(raw: string): string | undefined {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).trim();
  else if (value.startsWith('"')) value = value.slice(1).trim();
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) return undefined;
    const rest = value.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    value = value.slice(1, close);
    return isIP(value) === 6 ? value : undefined;
  }
  const colon = value.indexOf(':');
  if (colon > 0 && colon === value.lastIndexOf(':')) {
    if (!/^:\d{1,5}$/.test(value.slice(colon))) return undefined;
    value = value.slice(0, colon);
    return isIP(value) === 4 ? value : undefined;
  }
  return isIP(value) === 0 ? undefined : value;
}

/**
 * The client address of an RFC 7239 `Forwarded` value: the first `for=` of the first element that has
 * one (the element the first proxy wrote), as RoadRunner's pattern takes the first `for=`.
 */
export function forwardedFor(value: string): string | undefined {
  for (const element of value.split(',')) {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      return parseAddress(pair.slice(eq + 1));
    }
  }
  return undefined;
}

/** The first (left-most: the original client) entry of a comma-separated address list. */
export function firstListed(value: string): string | undefined {
  return parseAddress(value.split(',')[0] ?? '');
}
