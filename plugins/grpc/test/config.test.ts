import { issuesFromZod, loadConfigText } from '@rr/config';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MSG_SIZE, grpcConfigSchema } from '../src/config.js';

const parse = async (yaml: string) => {
  const text = `version: "3"\ngrpc:\n${yaml.trim().split('\n').map((l) => `  ${l}`).join('\n')}\n`;
  const loaded = await loadConfigText(text, { env: {} });
  return grpcConfigSchema.safeParse(loaded.sections['grpc'] ?? {});
};
const issues = async (yaml: string) => {
  const r = await parse(yaml);
  if (r.success) throw new Error('expected a failure');
  return issuesFromZod(r.error, 'grpc').map(({ path, code }) => ({ path, code }));
};

describe('grpc config', () => {
  it("applies RoadRunner's defaults", async () => {
    const r = await parse('listen: tcp://127.0.0.1:9001');
    expect(r.data).toMatchObject({
      listen: { scheme: 'tcp', host: '127.0.0.1', port: 9001 },
      proto: [],
      interceptors: [],
      max_send_msg_size: DEFAULT_MSG_SIZE,
      max_recv_msg_size: DEFAULT_MSG_SIZE,
      max_connection_idle: 0,
      max_connection_age: 0,
      max_connection_age_grace: 0,
      max_concurrent_streams: 10,
      ping_time: 2 * 3600 * 1000,
      timeout: 20_000,
    });
  });

  it('takes one proto file or a list, sizes in MB and Go durations', async () => {
    const one = await parse('listen: tcp://:9001\nproto: a.proto\nmax_recv_msg_size: 4\nping_time: 1m\ntls: { key: k, cert: c }');
    expect(one.data).toMatchObject({ proto: ['a.proto'], max_recv_msg_size: 4 * 1024 * 1024, ping_time: 60_000, tls: { client_auth_type: 'no_client_certs' } });
    const list = await parse('listen: unix:///tmp/g.sock\nproto: [a.proto, "protos/*.proto"]');
    expect(list.data).toMatchObject({ listen: { scheme: 'unix', path: '/tmp/g.sock' }, proto: ['a.proto', 'protos/*.proto'] });
  });

  it('reports every bad key with its dotted path', async () => {
    expect(await issues('proto: 3\ntls: { key: k, cert: c, client_auth_type: sometimes }\ntimeout: soon')).toEqual(
      expect.arrayContaining([
        { path: 'grpc.listen', code: expect.stringMatching(/^RR_ERR_CONFIG_/) },
        { path: 'grpc.proto', code: expect.stringMatching(/^RR_ERR_CONFIG_/) },
        { path: 'grpc.tls.client_auth_type', code: expect.stringMatching(/^RR_ERR_CONFIG_/) },
        { path: 'grpc.timeout', code: expect.stringMatching(/^RR_ERR_CONFIG_/) },
      ]),
    );
    expect(await issues('listen: 127.0.0.1:9001')).toEqual([{ path: 'grpc.listen', code: 'RR_ERR_CONFIG_INVALID_FORMAT' }]);
  });
});
