import { z } from 'zod';

/** Go's tls.ClientAuthType names as RoadRunner writes them. */
export const CLIENT_AUTH_TYPES = ['no_client_certs', 'request_client_cert', 'require_any_client_cert', 'verify_client_cert_if_given', 'require_and_verify_client_cert'] as const;

/**
 * The `tls` block of a driver that connects out (redis, amqp …) as RoadRunner writes it: `root_ca` to
 * verify the server, `cert` + `key` (both or neither) for servers that verify clients, and
 * `client_auth_type`, accepted and ignored because it is a server-side policy and rr is the client.
 */
export function clientTls(description: string) {
  return z
    .strictObject({
      root_ca: z.string().optional().describe('PEM file of the CA that signed the server certificate (default: the system CAs)'),
      cert: z.string().optional().describe('PEM client certificate file, for servers that verify clients (with key)'),
      key: z.string().optional().describe('PEM client key file (with cert)'),
      client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional().describe('Accepted for RoadRunner compatibility and ignored: it is a server-side policy, and rr is the client here'),
    })
    .superRefine((tls, ctx) => {
      if ((tls.cert === undefined) !== (tls.key === undefined)) {
        ctx.addIssue({ code: 'custom', path: [tls.cert === undefined ? 'cert' : 'key'], message: 'cert and key go together: set both or neither' });
      }
    })
    .describe(description);
}
