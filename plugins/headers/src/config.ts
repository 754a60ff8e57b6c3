import { bool, int } from '@rr/config';
import { z } from 'zod';
import { checkHeaderName, checkHeaderValue, checkOriginRegex } from './validate.js';

// RoadRunner's decoder turns `X-Version: 2` into the string "2"; YAML scalars are accepted alike.
const headerValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

function headerMap(where: string) {
  return z.record(z.string(), headerValue).superRefine((map, ctx) => {
    for (const [name, value] of Object.entries(map)) {
      const problem = checkHeaderName(name) ?? checkHeaderValue(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: `${where} header ${JSON.stringify(name)}: ${problem}` });
    }
  });
}

const corsSchema = z
  .strictObject({
    allowed_origin: z
      .string()
      .optional()
      .describe('Comma-separated origins allowed to make cross-origin requests; "*" allows any, one "*" inside an origin is a wildcard (https://*.example.com). Empty or absent (and no regex) allows any origin, as rs/cors does'),
    allowed_origin_regex: z
      .string()
      .superRefine((pattern, ctx) => {
        const problem = checkOriginRegex(pattern);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${problem}` });
      })
      .optional()
      .describe('A regular expression the Origin must match (unanchored: use ^…$); when set, allowed_origin is ignored and the origin is echoed'),
    allowed_headers: z
      .string()
      .optional()
      .describe('Comma-separated request headers a preflight may ask for; "*" allows any (default: Accept, Content-Type, X-Requested-With; Origin always)'),
    allowed_methods: z.string().optional().describe('Comma-separated methods allowed cross-origin (default: GET, POST, HEAD)'),
    allow_credentials: bool().default(false).describe('Send Access-Control-Allow-Credentials: true'),
    exposed_headers: z.string().optional().describe('Comma-separated response headers exposed to the browser (Access-Control-Expose-Headers)'),
    max_age: int({ min: 0 }).default(0).describe('Seconds a browser may cache a preflight answer (Access-Control-Max-Age; 0 sends none)'),
    options_success_status: int({ min: 200, max: 299 }).default(200).describe('Status of an answered preflight request (RoadRunner keeps 200 where rs/cors has 204)'),
    debug: bool().default(false).describe('Log every CORS decision at debug level on channel headers'),
  })
  .describe('CORS, answered by rr with rs/cors semantics: preflight requests never reach PHP');

const requestIdSchema = z
  .strictObject({
    header: z
      .string()
      .default('X-Request-Id')
      .superRefine((name, ctx) => {
        const problem = checkHeaderName(name);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe('Header that carries the id to PHP and back to the client'),
    trust_incoming: bool().default(true).describe("Keep the client's own id when it sent one (printable ASCII, at most 128 characters); false always generates a new one"),
  })
  .describe('rr extension (not in RoadRunner): a per-request id, a random UUID unless the client sent one, passed to PHP as a request header and echoed in the response');

/** Where the headers middleware reads its settings: `http.headers`. */
export const headersConfigKey = 'http.headers';

/** The `http.headers` section. Its presence enables the plugin, as in RoadRunner. */
export const headersConfigSchema = z
  .strictObject({
    request: headerMap('request').default({}).describe('Headers added to every request before PHP sees it (appended to what the client sent)'),
    response: headerMap('response').default({}).describe("Headers added to every response, also when PHP or an inner middleware answers (PHP's own values of the same name follow them)"),
    cors: corsSchema.optional(),
    request_id: requestIdSchema.optional(),
  })
  .describe('The headers middleware (http.middleware: [headers]): request/response headers, CORS and a per-request id');

/** The resolved `http.headers` section. */
export type HeadersConfig = z.output<typeof headersConfigSchema>;
/** The `http.headers` section as written in YAML. */
export type HeadersConfigInput = z.input<typeof headersConfigSchema>;
/** The resolved `http.headers.cors` section. */
export type CorsConfig = z.output<typeof corsSchema>;
