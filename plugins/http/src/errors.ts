import { defineErrors } from '@rr/errors';

/**
 * The http plugin's error catalogue. Request-level failures never leave the plugin as exceptions: they
 * become HTTP status codes; these codes are for startup, shutdown and logs.
 */
export const httpErrors = defineErrors('HTTP', {
  LISTEN_FAILED: {
    message: (address: string, reason: string) => `http could not listen on ${address}: ${reason}`,
    hint: 'another process may hold the port or socket (EADDRINUSE), or binding a port below 1024 needs privileges; change http.address, http.ssl.address or http.fcgi.address',
  },
  NO_LISTENER: {
    message: (configured: string) => `http has no listener it can run: ${configured} not supported yet and neither http.address nor http.fcgi is set`,
    hint: 'set http.address (e.g. "127.0.0.1:8080"), http.fcgi.address, or http.ssl with cert and key (ACME is not implemented)',
  },
  TLS_FILE: {
    message: (key: string, path: string, reason: string) => `http cannot read ${key} '${path}': ${reason}`,
    hint: 'http.ssl.cert, http.ssl.key and http.ssl.root_ca are paths to PEM files readable by rr',
  },
  TLS_INVALID: {
    message: (reason: string) => `http.ssl is not usable: ${reason}`,
    hint: 'check that http.ssl.cert and http.ssl.key are PEM files of the same key pair, and http.ssl.root_ca a PEM CA bundle',
  },
  NOT_STARTED: {
    message: () => 'the http pool has not started yet',
    hint: 'retry once rr is ready (its /ready probe answers 200)',
  },
  BAD_FORM: {
    message: (reason: string) => `invalid form: ${reason}`,
  },
  BODY_TOO_LARGE: {
    message: (limit: number) => `request body exceeds http.max_request_size (${limit} bytes)`,
    hint: 'raise http.max_request_size (in MB)',
  },
  FCGI_PROTOCOL: {
    message: (reason: string) => `malformed FastCGI input: ${reason}; the connection is closed`,
    hint: 'http.fcgi.address speaks FastCGI 1.0 (responder role): point a FastCGI client at it (nginx fastcgi_pass, Apache mod_proxy_fcgi), not an HTTP client',
  },
  FCGI_PARAMS_TOO_LARGE: {
    message: (limit: number) => `FastCGI request params exceed ${limit} bytes; the connection is closed`,
    hint: 'the web server sent more than 1 MiB of CGI params (headers) for one request; check its fastcgi_param settings and the request headers it forwards',
  },
  BAD_RESPONSE: {
    message: (reason: string) => `the worker sent an invalid response context: ${reason}`,
    hint: 'a worker response context is JSON {"status":200,"headers":{"Name":["v"]}} (frame codec 0 or 0x08) or protobuf http.v1.Response (codec 0x80); use the rr php-sdk or spiral/roadrunner-http',
  },
});
