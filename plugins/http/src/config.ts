import { tmpdir } from 'node:os';
import { bool, int, parseListenAddress, size } from '@rr/config';
import { poolConfigSchema } from '@rr/contracts';
import { z } from 'zod';

const MB = 1024 * 1024;
/** RoadRunner turns `max_request_size: 0` into 1000 MB (its sample's "0 = no limit" is wrong). */
export const DEFAULT_MAX_REQUEST_SIZE = 1000 * MB;

/**
 * Middleware names RoadRunner knows (for the warning about a name nothing provides). Which ones run is
 * decided at init from the middlewares the http plugin collected (`httpMiddlewaresRef`).
 */
export const KNOWN_MIDDLEWARE = ['headers', 'gzip', 'static', 'sendfile', 'http_metrics', 'proxy_ip_parser', 'otel', 'cache'] as const;

/** Client certificate policies, as Go's tls.ClientAuthType (`no_client_cert` is RoadRunner's Go spelling). */
export const CLIENT_AUTH_TYPES = [
  'no_client_certs',
  'no_client_cert',
  'request_client_cert',
  'require_any_client_cert',
  'verify_client_cert_if_given',
  'require_and_verify_client_cert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const address = (what: string) =>
  z
    .string()
    .superRefine((text, ctx) => {
      const parsed = parseListenAddress(text);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `invalid ${what}: ${parsed}` });
    });

/** Where the FastCGI listener binds. */
export type FcgiAddress = { kind: 'tcp'; host: string | undefined; port: number } | { kind: 'unix'; path: string };

/**
 * Parses `http.fcgi.address` as RoadRunner's listener DSN does (split on "://"): `tcp://host:port`,
 * a bare `host:port`, or `unix://path` (`unix:///run/rr.sock` is the absolute `/run/rr.sock`). rr also
 * takes nginx's spelling `unix:/run/rr.sock`. `:port` and `tcp://:port` bind every interface; port 0
 * picks a free port.
 *
 * @returns the address, or a reason string when it is malformed.
 */
export function parseFcgiAddress(text: string): FcgiAddress | string {
  const parts = text.split('://');
  let rest = text;
  if (parts.length > 2) return `'${text}' has more than one "://"`;
  if (parts.length === 2) {
    const [scheme, after] = parts as [string, string];
    if (scheme === 'unix') return after === '' ? `'${text}' has an empty socket path` : { kind: 'unix', path: after };
    if (scheme !== 'tcp') return `'${text}' has an unknown scheme "${scheme}" (use tcp://host:port or unix:///path/to/socket)`;
    rest = after;
  } else if (text.startsWith('unix:')) {
    const path = text.slice(5);
    return path === '' ? `'${text}' has an empty socket path` : { kind: 'unix', path };
  }
  const parsed = parseListenAddress(rest);
  return typeof parsed === 'string' ? parsed : { kind: 'tcp', ...parsed };
}

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
  .describe('ACME (not supported yet: accepted and warned about; cert and key are used when also given)');

const sslSchema = z
  .strictObject({
    address: address('http.ssl.address')
      .default('127.0.0.1:443')
      .describe('TLS listener "host:port" (":443" = all interfaces); serves HTTP/2 (ALPN h2) and HTTP/1.1'),
    redirect: bool().default(false).describe('The plain listener (http.address) answers every request with a 308 redirect to https'),
    cert: z.string().optional().describe('PEM certificate file (chain allowed)'),
    key: z.string().optional().describe('PEM private key file'),
    root_ca: z.string().optional().describe('PEM CA bundle that client certificates are verified against (mTLS); client_auth_type applies only with it'),
    client_auth_type: z
      .enum(CLIENT_AUTH_TYPES)
      .default('no_client_certs')
      .describe('Client certificate policy (Go names): no_client_certs, request_client_cert, require_any_client_cert, verify_client_cert_if_given, require_and_verify_client_cert'),
    acme: acmeSchema.optional(),
  })
  .superRefine((ssl, ctx) => {
    if (ssl.acme !== undefined) return;
    if (ssl.cert === undefined) ctx.addIssue({ code: 'custom', path: ['cert'], message: 'required when http.ssl is set without acme' });
    if (ssl.key === undefined) ctx.addIssue({ code: 'custom', path: ['key'], message: 'required when http.ssl is set without acme' });
  })
  .describe('TLS listener (HTTPS, HTTP/2 over TLS, mTLS)');

const looseSection = (what: string) => z.record(z.string(), z.unknown()).describe(what);

/** The `http` section: RoadRunner's keys and defaults (ROADRUNNER.md §1.3). */
export const httpConfigSchema = z
  .strictObject({
    address: address('http.address')
      .optional()
      .describe('Plain HTTP listener "host:port" (":8080" = all interfaces, port 0 = any free port); HTTP/1.1, plus HTTP/2 with http2.h2c; optional when ssl or fcgi is set; without address, ssl or fcgi the plugin is disabled'),
    internal_error_code: int({ min: 100, max: 599 }).default(500).describe('Status answered when rr itself fails a request (no worker, worker error)'),
    max_request_size: size({ bare: 'MB' })
      .default(0)
      .transform((n) => (n === 0 ? DEFAULT_MAX_REQUEST_SIZE : n))
      .describe('Largest accepted request body; a bare number is MB; 0 = 1000 MB, as RoadRunner'),
    raw_body: bool().default(false).describe('Pass url-encoded and multipart bodies to the worker unparsed'),
    access_logs: bool().default(false).describe('Log every request at info as "http access log" (otherwise one debug line)'),
    middleware: z
      .array(z.string())
      .default([])
      .describe('Ordered middleware names, outermost first (PHP is innermost); a name no compiled-in plugin provides is warned about and skipped'),
    payload_encoding: z
      .enum(['json', 'proto'])
      .default('json')
      .describe('rr extension: request context encoding sent to workers: json (every roadrunner-http 3.x) or proto (http.v1.Request, roadrunner-http >= 3.5)'),
    uploads: uploadsSchema.prefault({}),
    pool: poolConfigSchema.prefault({}).describe('The HTTP worker pool'),
    ssl: sslSchema.optional(),
    http2: z
      .strictObject({
        h2c: bool().default(false).describe('HTTP/2 over cleartext on the plain listener (prior knowledge), beside HTTP/1.1'),
        max_concurrent_streams: int({ min: 1 }).default(128).describe('Concurrent streams per HTTP/2 connection'),
      })
      .optional()
      .describe('HTTP/2 (always offered over TLS through ALPN)'),
    http3: z
      .strictObject({
        address: address('http.http3.address').describe('QUIC listener'),
        cert: z.string().optional().describe('PEM certificate file'),
        key: z.string().optional().describe('PEM key file'),
      })
      .optional()
      .describe('HTTP/3 (accepted, not supported yet)'),
    fcgi: z
      .strictObject({
        address: z
          .string()
          .superRefine((text, ctx) => {
            const parsed = parseFcgiAddress(text);
            if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `invalid http.fcgi.address: ${parsed}` });
          })
          .describe(
            'FastCGI listener: tcp://host:port (or host:port; ":9000" = all interfaces, port 0 = any free port) or unix:///path/to/socket (also unix:/path); a stale unix socket file is replaced at start and removed at stop',
          ),
      })
      .optional()
      .describe('FastCGI listener (responder role) for nginx fastcgi_pass or Apache mod_proxy_fcgi: requests go through the same middlewares and workers as HTTP; it can be the only listener'),
    trusted_subnets: z.array(z.string()).optional().describe('CIDRs whose proxy headers are trusted (read by the proxy_ip_parser middleware plugin)'),
    trusted_headers: z.array(z.string()).optional().describe('Headers read for the client IP (read by the proxy_ip_parser middleware plugin)'),
    headers: looseSection('headers middleware settings (validated by the headers middleware plugin)').optional(),
    static: looseSection('static middleware settings (validated by the static middleware plugin)').optional(),
    cache: looseSection('cache middleware settings (no rr plugin yet)').optional(),
  })
  .describe('HTTP server that forwards requests to PHP workers');

/** The `http` section as written in YAML. */
export type HttpConfigInput = z.input<typeof httpConfigSchema>;
/** The `http` section after validation and defaults. */
export type HttpConfig = z.output<typeof httpConfigSchema>;

/** Config sections owned by middleware plugins, with the middleware that reads them. */
const MIDDLEWARE_SECTIONS = [
  ['headers', 'headers'],
  ['static', 'static'],
  ['cache', 'cache'],
  ['trusted_subnets', 'proxy_ip_parser'],
  ['trusted_headers', 'proxy_ip_parser'],
] as const;

/**
 * Warnings for config that validates but does nothing in this rr, so a RoadRunner config loads without
 * silently losing behaviour: listeners not implemented, middleware names (and their sections) no
 * compiled-in plugin provides. `available` holds the names of the collected middlewares. Each string
 * is one log line; each middleware name is warned about once.
 */
export function unsupportedWarnings(config: HttpConfig, available: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  if (config.ssl?.acme !== undefined) {
    out.push(
      config.ssl.cert !== undefined && config.ssl.key !== undefined
        ? 'http.ssl.acme is not supported yet: the TLS listener uses http.ssl.cert and http.ssl.key'
        : 'http.ssl.acme is not supported yet: no TLS listener is started (set http.ssl.cert and http.ssl.key)',
    );
  }
  if (config.ssl !== undefined && config.ssl.root_ca === undefined && config.ssl.client_auth_type !== 'no_client_certs' && config.ssl.client_auth_type !== 'no_client_cert') {
    out.push(`http.ssl.client_auth_type '${config.ssl.client_auth_type}' has no effect without http.ssl.root_ca (as in RoadRunner)`);
  }
  if (config.http3 !== undefined) out.push('http.http3 is not supported yet: no QUIC listener is started');
  const sectionWarned = new Set<string>();
  for (const [key, middleware] of MIDDLEWARE_SECTIONS) {
    if (config[key] === undefined || available.has(middleware) || sectionWarned.has(middleware)) continue;
    sectionWarned.add(middleware);
    const keys = middleware === 'proxy_ip_parser' ? 'http.trusted_subnets/trusted_headers' : `http.${key}`;
    out.push(`${keys} is ignored: middleware '${middleware}' is not available in this rr (its plugin is not compiled in)`);
  }
  const warned = new Set<string>();
  for (const name of config.middleware) {
    if (available.has(name) || warned.has(name)) continue;
    warned.add(name);
    out.push(
      (KNOWN_MIDDLEWARE as readonly string[]).includes(name)
        ? `middleware '${name}' is not available in this rr (its plugin is not compiled in)`
        : `unknown middleware '${name}' is skipped (known: ${[...new Set([...KNOWN_MIDDLEWARE, ...available])].join(', ')})`,
    );
  }
  return out;
}
