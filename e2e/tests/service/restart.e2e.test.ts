import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcClient } from '@rr/goridge';
import protobuf from 'protobufjs/light.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startRr, type RrProcess } from '../../helpers/rr.js';

// service.v1 as RoadRunner's PHP client sends and reads it (PROTOCOL §5.6).
const root = protobuf.Root.fromJSON({
  nested: {
    Service: { fields: { name: { type: 'string', id: 1 } } },
    List: { fields: { services: { rule: 'repeated', type: 'string', id: 1 } } },
    Status: { fields: { cpu_percent: { type: 'float', id: 1 }, pid: { type: 'int32', id: 2 }, memory_usage: { type: 'uint64', id: 3 }, command: { type: 'string', id: 4 } } },
    Statuses: { fields: { status: { rule: 'repeated', type: 'Status', id: 1 } } },
  },
});
const PROTO = 0x80;

let rr: RrProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  await rr?.stop();
  rr = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('service: a supervised side process', () => {
  it('is restarted after it dies, logs its output, and is visible over RPC', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rr-e2e-service-'));
    const script = join(dir, 'flaky.sh');
    // Prints its pid, lives a moment, then dies with an error: rr must start it again.
    writeFileSync(script, 'echo "flaky started pid=$$"\nsleep 0.5\nexit 3\n');
    rr = await startRr({
      config: `version: "3"
rpc:
  listen: tcp://127.0.0.1:0
service:
  flaky:
    command: "sh ${script}"
    remain_after_exit: true
    restart_sec: 200ms
    service_name_in_log: true
logs:
  mode: production
  level: info
`,
    });
    const starts = () => rr!.logs.filter((l) => l.msg.includes('flaky started')).map((l) => /pid=(\d+)/.exec(l.msg)?.[1]);
    await expect.poll(starts, { timeout: 10_000 }).toHaveLength(3);
    expect(new Set(starts()).size).toBe(3);

    const client = await RpcClient.connect(String(rr.rpcAddress));
    try {
      const list = root.lookupType('List');
      const listed = list.toObject(list.decode(await client.call<Uint8Array>('service.List', Buffer.alloc(0), PROTO)), { arrays: true }) as { services: string[] };
      expect(listed.services).toEqual(['flaky']);
      const Service = root.lookupType('Service');
      const Statuses = root.lookupType('Statuses');
      const reply = await client.call<Uint8Array>('service.Statuses', Buffer.from(Service.encode({ name: 'flaky' }).finish()), PROTO);
      const statuses = Statuses.toObject(Statuses.decode(reply), { arrays: true, longs: Number }) as { status: { pid: number; command: string }[] };
      expect(statuses.status).toHaveLength(1);
      expect(statuses.status[0]?.command).toContain('flaky.sh');
      await expect(client.call('service.Statuses', Buffer.from(Service.encode({ name: 'nope' }).finish()), PROTO)).rejects.toThrow(/doesn't exist/);
    } finally {
      await client.close();
    }
  });
});
