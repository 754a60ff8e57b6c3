import { tmpdir } from 'node:os';
import { issuesFromZod, loadConfigText } from '@rr/config';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_REQUEST_SIZE, httpConfigSchema, parseFcgiAddress, unsupportedWarnings } from '../src/config.js';

// Through @rr/config as rr loads it: YAML, then ${VAR} expansion, then the schema.
const parse = async (yaml: string) => {
  const text = `version: "3"\nhttp:\n${yaml.trim().split('\n').map((l) => `  ${l}`).join('\n')}\n`;
  const loaded = await loadConfigText(text, { env: { SIZE: '20', CODE: '503' } });
  return httpConfigSchema.safeParse(loaded.sections['http'] ?? {});
};
const issues = async (yaml: string) => {
  const r = await parse(yaml);
  if (r.success) throw new Error('expected a failure');
  return issuesFromZod(r.error, 'http').map(({ path, code }) => ({ path, code }));
};
const MB = 1024 * 1024;

describe('http config: accepted', () => {
  it('applies RoadRunner defaults', async () => {
    const r = await parse('address: 127.0.0.1:8080');
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({
      address: '127.0.0.1:8080',
      internal_error_code: 500,
      max_request_size: DEFAULT_MAX_REQUEST_SIZE,
      raw_body: false,
      access_logs: false,
      middleware: [],
      payload_encoding: 'json',
      uploads: { dir: tmpdir(), forbid: [], allow: [] },
      pool: { max_jobs: 0, allocate_timeout: 60_000, destroy_timeout: 60_000, debug: false },
    });
    expect(r.data?.pool.num_workers).toBeGreaterThan(0);
  });

  it.each([
    ['max_request_size: 0', DEFAULT_MAX_REQUEST_SIZE],
    ['max_request_size: 10', 10 * MB],
    ['max_request_size: ${SIZE}', 20 * MB],
    ['max_request_size: 512K', 512 * 1024],
    ['max_request_size: 1GB', 1024 * MB],
  ])('%s → %i bytes', async (yaml, bytes) => {
    expect((await parse(`address: ":8080"\n${yaml}`)).data?.max_request_size).toBe(bytes);
  });

  it.each(['127.0.0.1:8080', ':8080', '0.0.0.0:8080', '[::1]:8080', 'localhost:0'])('accepts address %s', async (address) => {
    expect((await parse(`address: "${address}"`)).success).toBe(true);
  });

  it('normalises upload extensions to lower case with a dot', async () => {
    expect((await parse('uploads: { forbid: [".PHP", exe], allow: [Txt] }')).data?.uploads).toMatchObject({ forbid: ['.php', '.exe'], allow: ['.txt'] });
  });

  it('takes string scalars from ${ENV} expansion', async () => {
    const r = await parse('address: ":1"\ninternal_error_code: ${CODE}\nraw_body: "true"\naccess_logs: "1"\npool: { num_workers: "4" }');
    expect(r.data).toMatchObject({ internal_error_code: 503, raw_body: true, access_logs: true, pool: { num_workers: 4 } });
  });

  it('loads a full RoadRunner http section, warning about what is not implemented', async () => {
    const r = await parse(`
address: 0.0.0.0:8080
middleware: [headers, gzip, nosuch]
trusted_subnets: [10.0.0.0/8]
uploads: { dir: /tmp, forbid: [.php, .exe, .bat] }
headers: { cors: { allowed_origin: "*" }, response: { X-Powered-By: RoadRunner } }
static: { dir: public, forbid: [.php] }
ssl: { address: 0.0.0.0:443, redirect: true, cert: /c.pem, key: /k.pem }
http2: { h2c: false, max_concurrent_streams: 128 }
fcgi: { address: tcp://0.0.0.0:7921 }
pool: { num_workers: 4, max_jobs: 64, supervisor: { exec_ttl: 60s } }
`);
    expect(r.success).toBe(true);
    expect(unsupportedWarnings(r.data!)).toEqual([
      "http.headers is ignored: middleware 'headers' is not available in this rr (its plugin is not compiled in)",
      "http.static is ignored: middleware 'static' is not available in this rr (its plugin is not compiled in)",
      "http.trusted_subnets/trusted_headers is ignored: middleware 'proxy_ip_parser' is not available in this rr (its plugin is not compiled in)",
      "middleware 'headers' is not available in this rr (its plugin is not compiled in)",
      "middleware 'gzip' is not available in this rr (its plugin is not compiled in)",
      "unknown middleware 'nosuch' is skipped (known: headers, gzip, static, sendfile, http_metrics, proxy_ip_parser, otel, cache)",
    ]);
    // Sections and names whose middleware was collected are not warned about.
    expect(unsupportedWarnings(r.data!, new Set(['headers', 'gzip', 'static', 'proxy_ip_parser', 'nosuch']))).toEqual([]);
  });

  it('warns about ACME, http3 and a client_auth_type without root_ca', async () => {
    const r = await parse(`
address: ":8080"
ssl: { cert: /c.pem, key: /k.pem, client_auth_type: require_and_verify_client_cert, acme: { email: a@b.c, domains: [b.c] } }
http3: { address: ":8443" }
middleware: [gzip, gzip]
`);
    expect(unsupportedWarnings(r.data!)).toEqual([
      'http.ssl.acme is not supported yet: the TLS listener uses http.ssl.cert and http.ssl.key',
      "http.ssl.client_auth_type 'require_and_verify_client_cert' has no effect without http.ssl.root_ca (as in RoadRunner)",
      'http.http3 is not supported yet: no QUIC listener is started',
      "middleware 'gzip' is not available in this rr (its plugin is not compiled in)",
    ]);
    const acmeOnly = await parse('ssl: { acme: { email: a@b.c, domains: [b.c] } }');
    expect(unsupportedWarnings(acmeOnly.data!)).toEqual(['http.ssl.acme is not supported yet: no TLS listener is started (set http.ssl.cert and http.ssl.key)']);
  });

  it('has no warnings for a plain config', async () => {
    expect(unsupportedWarnings((await parse('address: ":8080"')).data!)).toEqual([]);
  });
});

describe('http.fcgi.address', () => {
  it.each([
    ['tcp://127.0.0.1:9000', { kind: 'tcp', host: '127.0.0.1', port: 9000 }],
    ['tcp://:9000', { kind: 'tcp', host: undefined, port: 9000 }],
    ['tcp://[::1]:0', { kind: 'tcp', host: '::1', port: 0 }],
    ['0.0.0.0:7921', { kind: 'tcp', host: '0.0.0.0', port: 7921 }],
    ['unix:///run/rr/fcgi.sock', { kind: 'unix', path: '/run/rr/fcgi.sock' }],
    ['unix://rr.sock', { kind: 'unix', path: 'rr.sock' }],
    ['unix:/run/rr/fcgi.sock', { kind: 'unix', path: '/run/rr/fcgi.sock' }],
  ])('parses %s as RoadRunner does (and nginx-style unix:/path)', (text, expected) => {
    expect(parseFcgiAddress(text)).toEqual(expected);
  });

  it('is accepted in the section, and the plugin no longer warns about it', async () => {
    const r = await parse('fcgi: { address: "unix:///tmp/rr.sock" }');
    expect(r.success).toBe(true);
    expect(r.data?.fcgi).toEqual({ address: 'unix:///tmp/rr.sock' });
    expect(unsupportedWarnings(r.data!)).toEqual([]);
  });
});

describe('http config: rejected', () => {
  it.each([
    ['address: "8080"', [{ path: 'http.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['address: "127.0.0.1:99999"', [{ path: 'http.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['address: "::1:80"', [{ path: 'http.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['address: 8080', [{ path: 'http.address', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['internal_error_code: 700', [{ path: 'http.internal_error_code', code: 'RR_ERR_CONFIG_TOO_BIG' }]],
    ['max_request_size: 10 apples', [{ path: 'http.max_request_size', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['max_request_size: -1', [{ path: 'http.max_request_size', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['raw_body: maybe', [{ path: 'http.raw_body', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['payload_encoding: msgpack', [{ path: 'http.payload_encoding', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['middleware: gzip', [{ path: 'http.middleware', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['uploads: { forbid: [""] }', [{ path: 'http.uploads.forbid[0]', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['uploads: { dirs: /tmp }', [{ path: 'http.uploads.dirs', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['pool: { num_workers: -1 }', [{ path: 'http.pool.num_workers', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['pool: { allocate_timeout: 5 minutes }', [{ path: 'http.pool.allocate_timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]],
    ['ssl: { address: ":443" }', [{ path: 'http.ssl.cert', code: 'RR_ERR_CONFIG_CUSTOM' }, { path: 'http.ssl.key', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['ssl: { cert: a, key: b, client_auth_type: sometimes }', [{ path: 'http.ssl.client_auth_type', code: 'RR_ERR_CONFIG_INVALID_VALUE' }]],
    ['fcgi: {}', [{ path: 'http.fcgi.address', code: 'RR_ERR_CONFIG_INVALID_TYPE' }]],
    ['fcgi: { address: "http://127.0.0.1:9000" }', [{ path: 'http.fcgi.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['fcgi: { address: "tcp://9000" }', [{ path: 'http.fcgi.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['fcgi: { address: "unix://" }', [{ path: 'http.fcgi.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['fcgi: { address: "unix:" }', [{ path: 'http.fcgi.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['fcgi: { address: "tcp://a://b:1" }', [{ path: 'http.fcgi.address', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['fcgi: { address: ":9000", port: 1 }', [{ path: 'http.fcgi.port', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
    ['adress: ":8080"', [{ path: 'http.adress', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
