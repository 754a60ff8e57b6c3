import { defineErrors } from '@rr/errors';

/**
 * The proxy_ip_parser plugin's error catalogue: `RR_ERR_PROXY_IP_PARSER_*`. The config schema reports
 * the same problems as config issues; these codes are for callers that build the middleware themselves.
 */
export const proxyIpParserErrors = defineErrors('PROXY_IP_PARSER', {
  INVALID_SUBNET: {
    message: (cidr: string, reason: string) => `http.trusted_subnets entry ${JSON.stringify(cidr)} is not a CIDR: ${reason}`,
    hint: 'write an address and a prefix length, e.g. 10.0.0.0/8, 127.0.0.1/32 or fc00::/7',
  },
  INVALID_HEADER: {
    message: (name: string) => `http.trusted_headers entry ${JSON.stringify(name)} is not a header name`,
    hint: "header names are RFC 9110 tokens, e.g. X-Forwarded-For; leave trusted_headers out for RoadRunner's default order",
  },
});
