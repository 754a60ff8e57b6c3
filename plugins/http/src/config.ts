import { tmpdir } from 'node:os';
import { bool, int, parseListenAddress, size } from '@rr/config';
import { poolConfigSchema } from '@rr/contracts';
import { z } from 'zod';

const MB = 1024 * 1024;
/** RoadRunner turns `max_request_size: 0` into 1000 MB (its sample's "0 = no limit" is wrong). */
export const DEFAULT_MAX_REQUEST_SIZE = 1000 * MB;

/** Middleware names RoadRunner knows; none is implemented as an rr plugin yet. */
export const KNOWN_MIDDLEWARE = ['headers', 'gzip', 'static', 'sendfile', 'http_metrics', 'proxy_ip_parser', 'otel', 'cache'] as const;

const address = (what: string) =>
  z
    .string()
    .superRefine((text, ctx) => {
      const parsed = parseListenAddress(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `invalid ${what}: ${parsed}` });
    });

const extensions = (what: string) =>
  z
    .array(z.string().min(1))
    // Extensions are compared lower-case with their dot, as RoadRunner's path.Ext; "php" means ".php".
    .transform((list) => list.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()))
    .default([])
    .describe(what);

const uploadsSchema = z
  .strictObject({
    dir: z.string().min(1).default(tmpdir()).describe('Directory for uploaded files (default: the OS temp dir)'),
    forbid: extensions('Forbidden file extensions, e.g. [".php", ".exe"]; checked case-insensitively and wins over allow (no default, as in RoadRunner code)'),
    allow: extensions('When not empty, only these extensions are accepted'),
  })
  .describe('Multipart file uploads');

const acmeSchema = z
  .strictObject({
    email: z.string().describe("Account e-mail for Let's Encrypt"),
    domains: z.array(z.string()).describe('Domains to obtain certificates for'),
    cache_dir: z.string().default('rr_cache_dir').describe('Certificate cache directory'),
    challenge_type: z.enum(['http-01', 'tlsalpn-01']).default('http-01').describe('ACME challenge'),
    alt_http_port: int({ min: 1, max: 65_535 }).default(80).describe('Port of the http-01 challenge'),
    alt_tlsalpn_port: int({ min: 1, max: 65_535 }).default(443).describe('Port of the tlsalpn-01 challenge'),
    use_production_endpoint: bool().default(false).describe("Use Let's Encrypt production instead of staging"),
  })
  .describe('ACME (not supported yet)');

const sslSchema = z
  .strictObject({
    address: address('http.ssl.address').default('127.0.0.1:443').describe('TLS listener'),
    redirect: bool().default(false).describe('The plain listener redirects to https'),
    cert: z.string().optional().describe('PEM certificate file'),
    key: z.string().optional().describe('PEM key file'),
    root_ca: z.string().optional().describe('CA bundle for client certificates (mTLS)'),
    client_auth_type: z
      .enum(['no_client_certs', 'request_client_cert', 'require_any_client_cert', 'verify_client_cert_if_given', 'require_and_verify_client_cert'])
      .default('no_client_certs')
      .describe('Client certificate policy'),
    acme: acmeSchema.optional(),
  })
  .superRefine((ssl, ctx) => {
    if (ssl.acme !== undefined) return;
    if (ssl.cert === undefined) ctx.addIssue({ code: 'custom', path: ['cert'], message: 'required when http.ssl is set without acme' });
    if (ssl.key === undefined) ctx.addIssue({ code: 'custom', path: ['key'], message: 'required when http.ssl is set without acme' });
  })
  .describe('TLS listener (accepted, not supported yet)');

const looseSection = (what: string) => z.record(z.string(), z.unknown()).describe(what);

/** The `http` section: RoadRunner's keys and defaults (ROADRUNNER.md §1.3). */
export const httpConfigSchema = z
  .strictObject({
    address: address('http.address')
      .optional()
      .describe('HTTP/1.1 listener "host:port" (":8080" = all interfaces, port 0 = any free port); without address, ssl or fcgi the plugin is disabled'),
    internal_error_code: int({ min: 100, max: 599 }).default(500).describe('Status answered when rr itself fails a request (no worker, worker error)'),
    max_request_size: size({ bare: 'MB' })
      .default(0)
      .transform((n) => (n === 0 ? DEFAULT_MAX_REQUEST_SIZE : n))
      .describe('Largest accepted request body; a bare number is MB; 0 = 1000 MB, as RoadRunner'),
    raw_body: bool().default(false).describe('Pass url-encoded and multipart bodies to the worker unparsed'),
    access_logs: bool().default(false).describe('Log every request at info as "http access log" (otherwise one debug line)'),
    middleware: z.array(z.string()).default([]).describe('Ordered middleware names, outermost first (none is implemented yet: each is warned about)'),
    payload_encoding: z
      .enum(['json', 'proto'])
      .default('json')
      .describe('rr extension: request context encoding sent to workers: json (every roadrunner-http 3.x) or proto (http.v1.Request, roadrunner-http >= 3.5)'),
    uploads: uploadsSchema.prefault({}),
    pool: poolConfigSchema.prefault({}).describe('The HTTP worker pool'),
    ssl: sslSchema.optional(),
    http2: z
      .strictObject({
        h2c: bool().default(false).describe('HTTP/2 over cleartext on the plain listener'),
        max_concurrent_streams: int({ min: 1 }).default(128).describe('HTTP/2 stream limit'),
      })
      .optional()
      .describe('HTTP/2 (accepted, not supported yet)'),
    http3: z
      .strictObject({
        address: address('http.http3.address').describe('QUIC listener'),
        cert: z.string().optional().describe('PEM certificate file'),
        key: z.string().optional().describe('PEM key file'),
      })
      .optional()
      .describe('HTTP/3 (accepted, not supported yet)'),
    fcgi: z
      .strictObject({ address: z.string().min(1).describe('FastCGI listener: tcp://host:port or unix:path') })
      .optional()
      .describe('FastCGI listener (accepted, not supported yet)'),
    trusted_subnets: z.array(z.string()).optional().describe('CIDRs whose proxy headers are trusted (proxy_ip_parser middleware; not supported yet)'),
    trusted_headers: z.array(z.string()).optional().describe('Headers read for the client IP (proxy_ip_parser middleware; not supported yet)'),
    headers: looseSection('headers middleware settings (not supported yet)').optional(),
    static: looseSection('static middleware settings (not supported yet)').optional(),
    cache: looseSection('cache middleware settings (not supported yet)').optional(),
  })
  .describe('HTTP server that forwards requests to PHP workers');

/** The `http` section as written in YAML. */
export type HttpConfigInput = z.input<typeof httpConfigSchema>;
/** The `http` section after validation and defaults. */
export type HttpConfig = z.output<typeof httpConfigSchema>;

/**
 * Warnings for keys that validate but do nothing yet, so a RoadRunner config loads without silently
 * losing behaviour. Each string is one log line.
 */
export function unsupportedWarnings(config: HttpConfig): string[] {
  const out: string[] = [];
  if (config.ssl !== undefined) out.push('http.ssl is not supported yet: no TLS listener is started (terminate TLS in a proxy in front of rr)');
  if (config.http2 !== undefined) out.push('http.http2 is not supported yet: only HTTP/1.1 is served');
  if (config.http3 !== undefined) out.push('http.http3 is not supported yet: no QUIC listener is started');
  if (config.fcgi !== undefined) out.push('http.fcgi is not supported yet: no FastCGI listener is started');
  if (config.trusted_subnets !== undefined || config.trusted_headers !== undefined) {
    out.push('http.trusted_subnets/trusted_headers are not supported yet: remoteAddr is always the peer address');
  }
  for (const key of ['headers', 'static', 'cache'] as const) {
    if (config[key] !== undefined) out.push(`http.${key} is not supported yet: its middleware is not available in rr`);
  }
  for (const name of config.middleware) {
    out.push(
      (KNOWN_MIDDLEWARE as readonly string[]).includes(name)
        ? `middleware '${name}' is not supported yet and is skipped`
        : `unknown middleware '${name}' is skipped (known: ${KNOWN_MIDDLEWARE.join(', ')})`,
    );
  }
  return out;
}
