import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoClient, makePki, startGrpc, unary, type Pki } from './helpers/grpc.js';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki?.cleanup());

type Who = 'none' | 'client' | 'rogue';
/** A Say call over TLS trusting the test CA, presenting no, a CA-signed or a self-signed client cert. */
async function say(address: string, who: Who): Promise<{ ok: true; authType: string } | { ok: false; code: number }> {
  const pair = who === 'client' ? [pki.clientKey, pki.clientCert] : who === 'rogue' ? [pki.rogueKey, pki.rogueCert] : undefined;
  const creds = grpc.credentials.createSsl(pki.read(pki.ca), pair && pki.read(pair[0] as string), pair && pki.read(pair[1] as string));
  // Names the server by its DNS SAN: Node deprecates SNI with an IP address.
  const client = echoClient(address, creds, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
  try {
    const { reply } = await unary<{ auth_type: string }>(client, 'Say', { text: 'tls' }, new grpc.Metadata(), { deadline: Date.now() + 5000 });
    return { ok: true, authType: reply.auth_type };
  } catch (err) {
    return { ok: false, code: (err as grpc.ServiceError).code };
  } finally {
    client.close();
  }
}

const allowed = (r: Awaited<ReturnType<typeof say>>) => r.ok;

describe('TLS listener', () => {
  it('serves over TLS and tells the worker :peer.auth-type tls', async () => {
    const rr = await startGrpc({ tls: { key: pki.serverKey, cert: pki.serverCert } });
    try {
      await expect(say(rr.address, 'none')).resolves.toEqual({ ok: true, authType: 'tls' });
      // A plaintext client cannot talk to it.
      const plain = echoClient(rr.address);
      await expect(unary(plain, 'Say', { text: 'x' }, new grpc.Metadata(), { deadline: Date.now() + 3000 })).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      plain.close();
    } finally {
      await rr.stop();
    }
  });

  // Go's tls.ClientAuthType semantics, with root_ca set: who may call?
  it.each([
    ['require_and_verify_client_cert', { none: false, client: true, rogue: false }],
    ['verify_client_cert_if_given', { none: true, client: true, rogue: false }],
    ['require_any_client_cert', { none: false, client: true, rogue: true }],
    ['request_client_cert', { none: true, client: true, rogue: true }],
  ] as const)('client_auth_type %s', async (type, expected) => {
    const rr = await startGrpc({ tls: { key: pki.serverKey, cert: pki.serverCert, root_ca: pki.ca, client_auth_type: type } });
    try {
      const got = {
        none: allowed(await say(rr.address, 'none')),
        client: allowed(await say(rr.address, 'client')),
        rogue: allowed(await say(rr.address, 'rogue')),
      };
      expect(got).toEqual(expected);
    } finally {
      await rr.stop();
    }
  });
});
