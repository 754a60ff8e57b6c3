import { RpcClient, RpcServer } from '@rr/goridge';
import protobuf from 'protobufjs/light.js';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJobsCommand, renderPipelines, runJobs } from '../src/commands/jobs.js';

const Pipelines = protobuf.Root.fromJSON({ nested: { P: { fields: { pipelines: { rule: 'repeated', type: 'string', id: 1 } } } } }).lookupType('P');

describe('rr jobs arguments', () => {
  it('takes subcommands and comma lists, defaulting to list', () => {
    expect(parseJobsCommand([])).toEqual({ action: 'list', pipelines: [] });
    expect(parseJobsCommand(['pause', 'a,b', 'c'])).toEqual({ action: 'pause', pipelines: ['a', 'b', 'c'] });
    expect(parseJobsCommand(['--destroy', 'x'])).toEqual({ action: 'destroy', pipelines: ['x'] });
  });

  it('refuses unknown actions and actions without pipelines with RR_ERR_CLI_BAD_ARGS', () => {
    expect(() => parseJobsCommand(['drop'])).toThrow(expect.objectContaining({ code: 'RR_ERR_CLI_BAD_ARGS' }));
    expect(() => parseJobsCommand(['resume'])).toThrow(expect.objectContaining({ code: 'RR_ERR_CLI_BAD_ARGS' }));
  });
});

describe('rr jobs over RPC', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  /** A real goridge RPC server with jobs.* and informer.Jobs recording what the CLI sent. */
  async function server() {
    const seen: [string, string[]][] = [];
    const rpc = new RpcServer();
    const names = (body: Buffer) => (Pipelines.toObject(Pipelines.decode(body), { arrays: true }) as { pipelines: string[] }).pipelines;
    rpc.register({
      namespace: 'jobs',
      methods: {
        Pause: (call) => (seen.push(['Pause', names(call.body)]), Buffer.alloc(0)),
        Resume: (call) => (seen.push(['Resume', names(call.body)]), Buffer.alloc(0)),
        Destroy: (call) => Buffer.from(Pipelines.encode({ pipelines: names(call.body).filter((n) => n !== 'ghost') }).finish()),
      },
    });
    rpc.register({
      namespace: 'informer',
      methods: {
        Jobs: () => [{ Pipeline: 'emails', Driver: 'amqp', Queue: 'q-emails', Active: 4, Delayed: 1, Reserved: 2, Ready: true, Priority: 10, ErrorMessage: '' }],
      },
    });
    const client = await RpcClient.connect(await rpc.listen('tcp://127.0.0.1:0'));
    cleanup.push(async () => {
      await client.close();
      await rpc.close();
    });
    return { client, seen };
  }

  it('lists pipelines from informer.Jobs and sends Pipelines for pause, resume and destroy', async () => {
    const { client, seen } = await server();
    expect((await runJobs(client, { action: 'list', pipelines: [] })).split('\n')).toEqual([
      'Jobs pipelines:',
      '+--------+----------+--------+----------+----------+--------+---------+----------+',
      '| STATUS | PIPELINE | DRIVER | QUEUE    | PRIORITY | ACTIVE | DELAYED | RESERVED |',
      '+--------+----------+--------+----------+----------+--------+---------+----------+',
      '| ready  | emails   | amqp   | q-emails | 10       | 4      | 1       | 2        |',
      '+--------+----------+--------+----------+----------+--------+---------+----------+',
    ]);
    expect(await runJobs(client, { action: 'pause', pipelines: ['a', 'b'] })).toBe('paused a\npaused b');
    expect(await runJobs(client, { action: 'resume', pipelines: ['a'] })).toBe('resumed a');
    expect(seen).toEqual([
      ['Pause', ['a', 'b']],
      ['Resume', ['a']],
    ]);
    expect(await runJobs(client, { action: 'destroy', pipelines: ['a', 'ghost'] })).toBe('destroyed a');
  });

  it('shows paused pipelines and driver errors in the status column', () => {
    const base = { driver: 'memory', queue: 'q', priority: 1, active: 0, delayed: 0, reserved: 0 };
    const text = renderPipelines([
      { ...base, pipeline: 'p', ready: false, errorMessage: '' },
      { ...base, pipeline: 'x', ready: true, errorMessage: 'down' },
    ]);
    expect(text).toContain('| paused ');
    expect(text).toContain('| error: down ');
  });
});
