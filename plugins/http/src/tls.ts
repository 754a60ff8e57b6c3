import { readFileSync } from 'node:fs';
import { createSecureContext, type TLSSocket } from 'node:tls';
import type { HttpConfig } from './config.js';
import { httpErrors } from './errors.js';

/** What the TLS listener needs: key material, the client certificate policy. */
export interface TlsSetup {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
  /** Ask clients for a certificate. */
  requestCert: boolean;
  /** Refuse the handshake without a valid client certificate. */
  rejectUnauthorized: boolean;
  /**
   * Checked once the handshake is done, for the policies Node's TLS has no option for
   * (`require_any_client_cert`, `verify_client_cert_if_given`); a refused connection is closed.
   */
  admit?: (socket: TLSSocket) => boolean;
}

type SslConfig = NonNullable<HttpConfig['ssl']>;

/**
 * Reads `http.ssl`'s files and maps `client_auth_type` onto Node's TLS options, as RoadRunner maps it
 * onto Go's tls.ClientAuthType. As in RoadRunner, the policy applies only with `root_ca`; the client
 * CA is `root_ca` alone (RoadRunner adds the system roots: any certificate from a public CA would be
 * accepted as a client, which rr does not copy).
 *
 * @returns undefined when there is no cert/key pair (ACME only), so no TLS listener can start.
 * @throws RR_ERR_HTTP_TLS_FILE when a file cannot be read; RR_ERR_HTTP_TLS_INVALID when the files do
 * not make a usable TLS context (not PEM, key and cert not a pair).
 */
export function loadTls(ssl: SslConfig): TlsSetup | undefined {
  if (ssl.cert === undefined || ssl.key === undefined) return undefined;
  const cert = readPem('http.ssl.cert', ssl.cert);
  const key = readPem('http.ssl.key', ssl.key);
  const ca = ssl.root_ca === undefined ? undefined : readPem('http.ssl.root_ca', ssl.root_ca);
  try {
    createSecureContext({ cert, key, ca });
  } catch (err) {
    throw httpErrors.TLS_INVALID(err instanceof Error ? err.message : String(err), { cause: err });
  }
  const setup: TlsSetup = { cert, key, requestCert: false, rejectUnauthorized: false };
  if (ca === undefined) return setup;
  setup.ca = ca;
  switch (ssl.client_auth_type) {
    case 'request_client_cert':
      setup.requestCert = true;
      break;
    case 'require_any_client_cert':
      setup.requestCert = true;
      setup.admit = hasCertificate;
      break;
    case 'verify_client_cert_if_given':
      setup.requestCert = true;
      setup.admit = (socket) => !hasCertificate(socket) || socket.authorized;
      break;
    case 'require_and_verify_client_cert':
      setup.requestCert = true;
      setup.rejectUnauthorized = true;
      break;
    default:
      break;
  }
  return setup;
}

function hasCertificate(socket: TLSSocket): boolean {
  const peer = socket.getPeerCertificate();
  return peer !== null && typeof peer === 'object' && Object.keys(peer).length > 0;
}

function readPem(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw httpErrors.TLS_FILE(key, path, reason, { cause: err });
  }
}
