import { describe, expect, it } from 'vitest';
import { clientTls } from '../src/index.js';

describe('clientTls', () => {
  const schema = clientTls('TLS to the server');

  it('takes RoadRunner\'s keys, client_auth_type included', () => {
    expect(schema.parse({ root_ca: 'ca.pem', cert: 'c.pem', key: 'k.pem', client_auth_type: 'require_and_verify_client_cert' })).toEqual({
      root_ca: 'ca.pem',
      cert: 'c.pem',
      key: 'k.pem',
      client_auth_type: 'require_and_verify_client_cert',
    });
    expect(schema.parse({})).toEqual({});
    expect(schema.description).toBe('TLS to the server');
  });

  it('wants cert and key together, and refuses unknown keys and policies', () => {
    expect(schema.safeParse({ cert: 'c.pem' }).error?.issues).toMatchObject([{ path: ['key'], message: 'cert and key go together: set both or neither' }]);
    expect(schema.safeParse({ key: 'k.pem' }).error?.issues).toMatchObject([{ path: ['cert'] }]);
    expect(schema.safeParse({ client_auth_type: 'sometimes' }).success).toBe(false);
    expect(schema.safeParse({ verify: true }).success).toBe(false);
  });
});
