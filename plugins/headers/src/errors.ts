import { defineErrors } from '@rr/errors';

/**
 * The headers plugin's error catalogue: `RR_ERR_HEADERS_*`. The config schema reports the same
 * problems as config issues; these codes are for callers that build the middleware themselves.
 */
export const headersErrors = defineErrors('HEADERS', {
  INVALID_ORIGIN_REGEX: {
    message: (pattern: string, reason: string) => `http.headers.cors.allowed_origin_regex ${JSON.stringify(pattern)} is not a valid regular expression: ${reason}`,
    hint: 'write a JavaScript regular expression, e.g. ^https://([a-z0-9-]+\\.)?example\\.com$',
  },
  INVALID_HEADER: {
    message: (where: string, name: string, reason: string) => `${where} header ${JSON.stringify(name)} is invalid: ${reason}`,
    hint: 'header names are RFC 9110 tokens (letters, digits and !#$%&\'*+-.^_`|~); values have no CR, LF or NUL',
  },
});
