import { duration, dsn, envMap, int, size } from '@rr/config';
import { poolConfigSchema } from '@rr/contracts';
import { z } from 'zod';

/** Go's tls.ClientAuthType names, as RoadRunner writes them in YAML. */
export const CLIENT_AUTH_TYPES = [
  'no_client_certs',
  'request_client_cert',
  'require_any_client_cert',
  'verify_client_cert_if_given',
  'require_and_verify_client_cert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const tlsSchema = z
  .strictObject({
    key: z.string().min(1).describe('PEM private key file (must exist)'),
    cert: z.string().min(1).describe('PEM certificate chain file (must exist)'),
    root_ca: z.string().min(1).optional().describe('PEM CA bundle for client certificates; client_auth_type only applies when it is set (must exist)'),
    client_auth_type: z
      .enum(CLIENT_AUTH_TYPES)
      .default('no_client_certs')
      .describe('Client certificate policy, as Go: no_client_certs, request_client_cert, require_any_client_cert, verify_client_cert_if_given, require_and_verify_client_cert'),
  })
  .describe('TLS for the gRPC listener (mTLS with root_ca + client_auth_type)');

const protoList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (typeof v === 'string' ? [v] : v).filter((p) => p !== ''))
  .default([])
  .describe('Proto files declaring the services to serve: a path or a list; glob patterns (*, ?, [a-z]) are expanded; a missing file or a glob matching nothing is an error');

/** RoadRunner's 50 MB message limit (a schema default is the parsed value, so it is in bytes). */
export const DEFAULT_MSG_SIZE = 50 * 1024 * 1024;

/** The `grpc` section: RoadRunner's keys and defaults (ROADRUNNER.md §1.7). */
export const grpcConfigSchema = z
  .strictObject({
    listen: dsn({ allow: ['tcp', 'unix'] }).describe('Listener: tcp://host:port (port 0 = any free port) or unix://path'),
    proto: protoList,
    tls: tlsSchema.optional(),
    env: envMap().optional().describe('Extra environment for the gRPC workers (RR_MODE=grpc is set)'),
    interceptors: z.array(z.string()).default([]).describe('Interceptor plugin names: `otel` (calls are traced whenever the otel section exists); any other name is warned about'),
    max_send_msg_size: size({ bare: 'MB' }).default(DEFAULT_MSG_SIZE).describe('Largest message sent to a client; a bare number is MB (default 50)'),
    max_recv_msg_size: size({ bare: 'MB' }).default(DEFAULT_MSG_SIZE).describe('Largest message accepted from a client; a bare number is MB (default 50); bigger ones fail with RESOURCE_EXHAUSTED'),
    max_connection_idle: duration().default(0).describe('Close connections idle this long (0 = never)'),
    max_connection_age: duration().default(0).describe('Close connections after this age (0 = never)'),
    max_connection_age_grace: duration().default(0).describe('Grace for in-flight calls after max_connection_age (0 = unlimited)'),
    max_concurrent_streams: int({ min: 1 }).default(10).describe('Concurrent calls per connection (default 10)'),
    ping_time: duration().default(7_200_000).describe('Keepalive ping interval (default 2h)'),
    timeout: duration().default(20_000).describe('Keepalive ping ack timeout (default 20s)'),
    pool: poolConfigSchema.prefault({}).describe('The gRPC worker pool'),
  })
  .describe('gRPC server forwarding calls to PHP workers (RR_MODE=grpc)');

/** The `grpc` section as written in YAML. */
export type GrpcConfigInput = z.input<typeof grpcConfigSchema>;
/** The `grpc` section after validation and defaults. */
export type GrpcConfig = z.output<typeof grpcConfigSchema>;
