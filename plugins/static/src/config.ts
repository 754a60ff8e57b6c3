import { bool } from '@rr/config';
import { z } from 'zod';

/** The section this plugin reads: RoadRunner nests it under `http`. */
export const staticConfigKey = 'http.static';

// RFC 9110 token: a name res.setHeader would refuse must fail at config time, not on the first hit.
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)');
// CR, LF and NUL would let a config value split the response; every other visible byte is fine.
const headerValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .pipe(z.string().regex(/^[^\r\n\0]*$/, 'a header value without CR, LF or NUL'));

const headerMap = (what: string) =>
  z
    .record(headerName, headerValue)
    .nullish()
    .transform((v) => v ?? {})
    .describe(what);

const extensionList = (what: string) =>
  z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? [])
    .describe(what);

/** The `http.static` section. Its presence enables the plugin, as in RoadRunner. */
export const staticConfigSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1, 'the folder to serve, e.g. "public"')
      .describe('Folder served as the web root (required; relative to the working directory). Init fails when it is missing or not a directory'),
    forbid: extensionList('Extensions never served, e.g. [".php", ".htaccess"]: such requests go on to PHP. Case-insensitive; the leading dot is optional'),
    allow: extensionList('When not empty, only these extensions are served (forbid still wins); the rest go on to PHP. Case-insensitive; the leading dot is optional'),
    calculate_etag: bool().default(false).describe('Send an ETag: "<size>-<crc32>" of the content (computed once per file version), so If-None-Match can answer 304'),
    weak: bool().default(false).describe('With calculate_etag: a weak ETag W/"<size>-<mtime>" from file metadata, without reading the content'),
    request: headerMap('Headers added to the request when a static file is served (nothing downstream sees them unless another middleware reads them)'),
    response: headerMap('Headers set on every static response (200, 206, 304, 412, 416), e.g. Cache-Control; they may replace Content-Type or ETag'),
  })
  .describe('Static files served from http.static.dir before PHP');

/** The resolved `http.static` section. */
export type StaticConfig = z.output<typeof staticConfigSchema>;
/** The `http.static` section as written in YAML. */
export type StaticConfigInput = z.input<typeof staticConfigSchema>;
