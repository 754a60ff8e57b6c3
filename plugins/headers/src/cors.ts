import type { IncomingMessage } from 'node:http';
import type { CorsConfig } from './config.js';
import { headersErrors } from './errors.js';

/** Headers a CORS decision adds to the response, and whether rr answers the request itself. */
export interface CorsDecision {
  /** A preflight: rr answers with `status`, PHP never sees it. */
  preflight: boolean;
  status: number;
  headers: [name: string, value: string][];
  /** Why no CORS headers were granted (for `debug`); undefined when they were. */
  refused?: string;
}

/** Go's http.CanonicalHeaderKey, as rs/cors writes exposed header names. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** RoadRunner splits its comma-separated strings; empty entries (a trailing comma) mean nothing. */
function list(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

interface WildcardOrigin {
  prefix: string;
  suffix: string;
}

const VARY_PREFLIGHT = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

/**
 * RoadRunner's CORS handling, which is rs/cors configured from `http.headers.cors`: origins by list,
 * wildcard or regex; methods and headers checked on preflight; simple requests decorated, never refused
 * (a disallowed origin just gets no CORS headers, and the browser blocks the read).
 *
 * @throws RR_ERR_HEADERS_INVALID_ORIGIN_REGEX when allowed_origin_regex does not compile
 */
export class Cors {
  readonly #anyOrigin: boolean;
  readonly #origins = new Set<string>();
  readonly #wildcards: WildcardOrigin[] = [];
  readonly #regex: RegExp | undefined;
  readonly #methods: Set<string>;
  readonly #anyHeader: boolean;
  readonly #headers: Set<string>;
  readonly #exposed: string;
  readonly #credentials: boolean;
  readonly #maxAge: number;
  readonly #status: number;

  constructor(config: CorsConfig) {
    if (config.allowed_origin_regex !== undefined && config.allowed_origin_regex !== '') {
      try {
        this.#regex = new RegExp(config.allowed_origin_regex);
      } catch (err) {
        throw headersErrors.INVALID_ORIGIN_REGEX(config.allowed_origin_regex, err instanceof Error ? err.message : String(err));
      }
    }
    const origins = list(config.allowed_origin).map((o) => o.toLowerCase());
    // rs/cors: no origin list and no origin function means every origin, answered with "*".
    this.#anyOrigin = this.#regex === undefined && (origins.length === 0 || origins.includes('*'));
    if (this.#regex === undefined && !this.#anyOrigin) {
      for (const origin of origins) {
        const star = origin.indexOf('*');
        if (star < 0) this.#origins.add(origin);
        else this.#wildcards.push({ prefix: origin.slice(0, star), suffix: origin.slice(star + 1) });
      }
    }
    const methods = list(config.allowed_methods).map((m) => m.toUpperCase());
    this.#methods = new Set(methods.length > 0 ? methods : ['GET', 'POST', 'HEAD']);
    const headers = list(config.allowed_headers).map((h) => h.toLowerCase());
    this.#anyHeader = headers.includes('*');
    this.#headers = new Set([...(headers.length > 0 ? headers : ['accept', 'content-type', 'x-requested-with']), 'origin']);
    this.#exposed = list(config.exposed_headers).map(canonical).join(', ');
    this.#credentials = config.allow_credentials;
    this.#maxAge = config.max_age;
    this.#status = config.options_success_status;
  }

  /** What to do with `req`: answer it (a preflight) or let it through with the returned headers. */
  decide(req: IncomingMessage): CorsDecision {
    const requestMethod = header(req, 'access-control-request-method');
    if (req.method === 'OPTIONS' && requestMethod !== undefined && requestMethod !== '') return this.#preflight(req, requestMethod);
    return this.#actual(req);
  }

  #preflight(req: IncomingMessage, requestMethod: string): CorsDecision {
    const out: CorsDecision = { preflight: true, status: this.#status, headers: [['Vary', VARY_PREFLIGHT]] };
    const origin = header(req, 'origin');
    if (origin === undefined || origin === '') return { ...out, refused: 'preflight without Origin' };
    if (!this.#originAllowed(origin)) return { ...out, refused: `origin ${origin} not allowed` };
    const method = requestMethod.toUpperCase();
    if (!this.#methodAllowed(method)) return { ...out, refused: `method ${method} not allowed` };
    const rawHeaders = header(req, 'access-control-request-headers') ?? '';
    const asked = list(rawHeaders).map((h) => h.toLowerCase());
    const denied = this.#anyHeader ? undefined : asked.find((h) => !this.#headers.has(h));
    if (denied !== undefined) return { ...out, refused: `header ${denied} not allowed` };
    out.headers.push(['Access-Control-Allow-Origin', this.#anyOrigin ? '*' : origin]);
    out.headers.push(['Access-Control-Allow-Methods', method]);
    if (asked.length > 0) out.headers.push(['Access-Control-Allow-Headers', rawHeaders.trim()]);
    if (this.#credentials) out.headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (this.#maxAge > 0) out.headers.push(['Access-Control-Max-Age', String(this.#maxAge)]);
    return out;
  }

  #actual(req: IncomingMessage): CorsDecision {
    // Vary: Origin even without an Origin: a cache must not serve this answer to a cross-origin request.
    const out: CorsDecision = { preflight: false, status: 0, headers: [['Vary', 'Origin']] };
    const origin = header(req, 'origin');
    if (origin === undefined || origin === '') return { ...out, refused: 'no Origin' };
    if (!this.#originAllowed(origin)) return { ...out, refused: `origin ${origin} not allowed` };
    // rs/cors also withholds CORS headers from a simple request whose method is not allowed.
    const method = (req.method ?? 'GET').toUpperCase();
    if (!this.#methodAllowed(method)) return { ...out, refused: `method ${method} not allowed` };
    out.headers.push(['Access-Control-Allow-Origin', this.#anyOrigin ? '*' : origin]);
    if (this.#exposed !== '') out.headers.push(['Access-Control-Expose-Headers', this.#exposed]);
    if (this.#credentials) out.headers.push(['Access-Control-Allow-Credentials', 'true']);
    return out;
  }

  #originAllowed(origin: string): boolean {
    if (this.#regex !== undefined) return this.#regex.test(origin);
    if (this.#anyOrigin) return true;
    const lower = origin.toLowerCase();
    if (this.#origins.has(lower)) return true;
    return this.#wildcards.some((w) => lower.length >= w.prefix.length + w.suffix.length && lower.startsWith(w.prefix) && lower.endsWith(w.suffix));
  }

  #methodAllowed(method: string): boolean {
    // A preflight itself is always allowed, whatever the list says.
    return method === 'OPTIONS' || this.#methods.has(method);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
