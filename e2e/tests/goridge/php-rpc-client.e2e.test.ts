import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RrError } from '@rr/errors';
import { RpcServer } from '@rr/goridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { php, phpSdk } from '../../helpers/paths.js';
import { run } from '../../helpers/run.js';

// A TypeScript RPC server (the one rr's rpc plugin uses) answering our PHP RPC client over real sockets.
const rpcCall = join(phpSdk, 'examples/rpc-call.php');

function demoServer(): RpcServer {
  return new RpcServer().register({
    namespace: 'demo',
    methods: {
      Echo: ({ body }) => JSON.parse(body.toString('utf8')) as unknown,
      Sum: ({ body }) => (JSON.parse(body.toString('utf8')) as number[]).reduce((a, b) => a + b, 0),
      Upper: ({ body }) => Buffer.from(body.toString('utf8').toUpperCase()),
      Fail: () => {
        throw new RrError('RR_ERR_DEMO_REFUSED', 'no such storage: users');
      },
      Crash: () => {
        throw new Error('kaboom');
      },
    },
  });
}

const transports: { name: string; listen: (dir: string) => string }[] = [
  { name: 'tcp', listen: () => 'tcp://127.0.0.1:0' },
  { name: 'unix', listen: (dir) => `unix://${join(dir, 'rpc.sock')}` },
];

describe.each(transports)('PHP RPC client → TypeScript RPC server over $name', ({ listen }) => {
  let server: RpcServer;
  let address: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rr-e2e-rpc-'));
    server = demoServer();
    address = await server.listen(listen(dir));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips JSON values', async () => {
    const res = await run(php, [rpcCall, address, 'demo.Echo', '{"a":[1,2,{"b":"ü"}],"c":null}']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ a: [1, 2, { b: 'ü' }], c: null });
  });

  it('computes with the decoded argument', async () => {
    const res = await run(php, [rpcCall, address, 'demo.Sum', '[1,2,3,4.5]']);
    expect(JSON.parse(res.stdout)).toBe(10.5);
  });

  it('passes raw bytes both ways', async () => {
    const res = await run(php, [rpcCall, address, 'demo.Upper', 'hello raw', 'raw']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toBe('HELLO RAW');
  });

  it('delivers coded errors the PHP side can branch on', async () => {
    const res = await run(php, [rpcCall, address, 'demo.Fail', '{}']);
    expect(res.code).toBe(2);
    expect(res.stdout.trim()).toBe('ERROR RR_ERR_DEMO_REFUSED no such storage: users');
  });

  it('hides foreign failures behind RR_ERR_INTERNAL', async () => {
    const res = await run(php, [rpcCall, address, 'demo.Crash', '{}']);
    expect(res.code).toBe(2);
    expect(res.stdout.trim()).toBe('ERROR RR_ERR_INTERNAL kaboom');
  });

  it("answers unknown methods with Go net/rpc's wording", async () => {
    const method = await run(php, [rpcCall, address, 'demo.Nope', '{}']);
    expect(method.stdout.trim()).toBe("ERROR - rpc: can't find method demo.Nope");
    const service = await run(php, [rpcCall, address, 'nope.Echo', '{}']);
    expect(service.stdout.trim()).toBe("ERROR - rpc: can't find service nope.Echo");
  });
});
