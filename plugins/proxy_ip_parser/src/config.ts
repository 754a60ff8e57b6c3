import { z } from 'zod';
import { parseSubnet } from './ip.js';
import { checkHeaderName } from './validate.js';

/**
 * Where this middleware's settings live: directly under `http` (`http.trusted_subnets`,
 * `http.trusted_headers`), as in RoadRunner. The schema reads only those two keys and lets the rest of
 * the section through untouched; the http plugin validates its own keys.
 */
export const proxyIpParserConfigKey = 'http';

/** RoadRunner's default order of the headers that name the client. */
export const DEFAULT_TRUSTED_HEADERS = ['Forwarded', 'X-Forwarded-For', 'X-Real-Ip', 'True-Client-Ip', 'Cf-Connecting-Ip'] as const;

/** The proxy_ip_parser settings inside the `http` section. */
export const proxyIpParserConfigSchema = z
  .looseObject({
    trusted_subnets: z
      .array(
        z.string().superRefine((cidr, ctx) => {
          const subnet = parseSubnet(cidr);
          if (!subnet.ok) ctx.addIssue({ code: 'custom', message: `not a CIDR: ${subnet.reason}` });
        }),
      )
      .optional()
      .describe('CIDRs of the proxies whose client-IP headers are believed (e.g. 10.0.0.0/8, 127.0.0.0/8, ::1/128). No default: absent or empty disables proxy_ip_parser, as in RoadRunner'),
    trusted_headers: z
      .array(
        z.string().superRefine((name, ctx) => {
          const problem = checkHeaderName(name);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .optional()
      .describe('Headers read for the client IP, in this order; the first that yields a valid address wins (default: Forwarded, X-Forwarded-For, X-Real-Ip, True-Client-Ip, Cf-Connecting-Ip)'),
  })
  .transform(({ trusted_subnets, trusted_headers }) => ({
    trusted_subnets: trusted_subnets ?? [],
    trusted_headers: trusted_headers !== undefined && trusted_headers.length > 0 ? trusted_headers : [...DEFAULT_TRUSTED_HEADERS],
  }))
  .describe('The proxy_ip_parser middleware (http.middleware: [proxy_ip_parser]): the client IP behind trusted proxies');

/** The resolved proxy_ip_parser settings. */
export type ProxyIpParserConfig = z.output<typeof proxyIpParserConfigSchema>;
/** The `http` section as far as proxy_ip_parser reads it. */
export type ProxyIpParserConfigInput = z.input<typeof proxyIpParserConfigSchema>;
