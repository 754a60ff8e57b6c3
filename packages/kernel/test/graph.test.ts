import { describe, expect, it } from 'vitest';
import { coreConfigRef, coreKernelRef, definePlugin, isRrError, KERNEL_VERSION, manyRef, ref, type Plugin } from '../src/index.js';
import { kernelWith, probe, rejectionOf, valueRef } from './helpers.js';

const rpcEndpointsRef = manyRef<string>('rpc.endpoints');

describe('graph', () => {
  it('inits in dependency order, breaking ties by registration order', async () => {
    const trace: string[] = [];
    const kernel = kernelWith([
      probe('http', { needs: ['server', 'logs'], trace }),
      probe('zeta', { trace }),
      probe('server', { needs: ['logs'], trace }),
      probe('alpha', { trace }),
      probe('logs', { trace }),
    ]);
    await kernel.start();
    expect(trace.filter((line) => line.startsWith('init'))).toEqual(['init zeta', 'init alpha', 'init logs', 'init server', 'init http']);
    await kernel.stop();
  });

  it('inits a collector after every provider of what it collects', async () => {
    const trace: string[] = [];
    const rpc = definePlugin({
      id: 'rpc',
      kernel: '^1.0.0',
      collects: { endpoints: rpcEndpointsRef },
      init({ collected }) {
        trace.push(`rpc sees ${collected.endpoints.join(',')}`);
        return {};
      },
    });
    const endpoint = (id: string): Plugin =>
      definePlugin({
        id,
        kernel: '^1.0.0',
        provides: { rpc: rpcEndpointsRef },
        init: () => ({ provides: { rpc: `${id}.endpoint` } }),
      });
    const kernel = kernelWith([rpc, endpoint('kv'), endpoint('jobs')]);
    await kernel.start();
    expect(trace).toEqual(['rpc sees kv.endpoint,jobs.endpoint']);
    await kernel.stop();
  });

  it('serves by graph depth then id over needs and optional edges, ignoring collect edges', async () => {
    const trace: string[] = [];
    const serving = (id: string, deps: { needs?: Record<string, ReturnType<typeof valueRef>>; collects?: Record<string, typeof rpcEndpointsRef> }, provides = true): Plugin =>
      definePlugin({
        id,
        kernel: '^1.0.0',
        needs: deps.needs ?? {},
        collects: deps.collects ?? {},
        provides: provides ? { value: valueRef(id), endpoint: rpcEndpointsRef } : {},
        init: () => ({
          provides: provides ? { value: id, endpoint: id } : {},
          serve: () => {
            trace.push(id);
          },
        }),
      });
    const kernel = kernelWith([
      serving('http', { needs: { server: valueRef('server'), logs: valueRef('logs') } }),
      serving('server', { needs: { logs: valueRef('logs') } }),
      serving('rpc', { needs: { logs: valueRef('logs') }, collects: { endpoints: rpcEndpointsRef } }, false),
      serving('logs', {}),
      serving('metrics', {}),
    ]);
    await kernel.start();
    // rpc collects from http yet serves before it: collect edges bind at init and do not order serve.
    expect(trace).toEqual(['logs', 'metrics', 'rpc', 'server', 'http']);
    await kernel.stop();
  });

  it('reports the cycle path', async () => {
    const err = await rejectionOf(
      kernelWith([probe('solo'), probe('a', { needs: ['b'] }), probe('b', { needs: ['c'] }), probe('c', { needs: ['a'] })]).start(),
    );
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_CYCLE', details: { path: ['a', 'b', 'c', 'a'] } });
    expect(err.message).toBe('dependency cycle: a -> b -> c -> a');
  });

  it('reports a cycle through optional and collect edges, starting at the first registered member', async () => {
    const collector = definePlugin({
      id: 'collector',
      kernel: '^1.0.0',
      collects: { endpoints: rpcEndpointsRef },
      provides: { value: valueRef('collector') },
      init: () => ({ provides: { value: 'x' } }),
    });
    const contributor = definePlugin({
      id: 'contributor',
      kernel: '^1.0.0',
      optional: { collector: valueRef('collector') },
      provides: { endpoint: rpcEndpointsRef },
      init: () => ({ provides: { endpoint: 'e' } }),
    });
    const err = await rejectionOf(kernelWith([probe('before', { needs: ['collector'] }), collector, contributor]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_CYCLE', details: { path: ['collector', 'contributor', 'collector'] } });
  });

  it('reports the cycle path from its first registered member, wherever the walk entered it', async () => {
    const err = await rejectionOf(
      kernelWith([probe('entry', { needs: ['c'] }), probe('a', { needs: ['b'] }), probe('b', { needs: ['c'] }), probe('c', { needs: ['a'] })]).start(),
    );
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_CYCLE', message: 'dependency cycle: a -> b -> c -> a' });
  });

  it('reports a plugin that needs what it provides as a cycle of one', async () => {
    const err = await rejectionOf(kernelWith([probe('selfish', { needs: ['selfish'] })]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_CYCLE', details: { path: ['selfish', 'selfish'] } });
  });

  it('names the plugin and the ref when a needed provider is not registered', async () => {
    const err = await rejectionOf(kernelWith([probe('http', { needs: ['server'] })]).start());
    expect(err).toMatchObject({
      code: 'RR_ERR_KERNEL_MISSING_PROVIDER',
      plugin: 'http',
      details: { ref: 'server.value', key: 'server' },
    });
    expect(err.message).toBe("plugin 'http' needs server.value, but no registered plugin provides it");
  });

  it('accepts optional and collected refs that nobody provides', async () => {
    const seen: unknown[] = [];
    const plugin = definePlugin({
      id: 'lonely',
      kernel: '^1.0.0',
      optional: { metrics: ref<string>('metrics.value'), unknownCore: ref<string>('core.nothing') },
      collects: { endpoints: rpcEndpointsRef },
      init({ optional, collected }) {
        seen.push(optional.metrics, optional.unknownCore, collected.endpoints);
        return {};
      },
    });
    const kernel = kernelWith([plugin]);
    await kernel.start();
    expect(seen).toEqual([undefined, undefined, []]);
    await kernel.stop();
  });

  it('rejects a ref with one provider that two plugins provide', async () => {
    const twin = (id: string): Plugin =>
      definePlugin({ id, kernel: '^1.0.0', provides: { pool: ref<string>('server.pool') }, init: () => ({ provides: { pool: id } }) });
    const err = await rejectionOf(kernelWith([twin('one'), twin('two')]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_DUPLICATE_PROVIDER', details: { ref: 'server.pool', plugins: ['one', 'two'] } });
    expect(err.message).toBe("server.pool is provided by more than one plugin: 'one', 'two'");
  });

  it('rejects a plugin registered twice', async () => {
    const logs = probe('logs');
    const err = await rejectionOf(kernelWith([logs, logs]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_DUPLICATE_PLUGIN', plugin: 'logs' });
  });

  it.each(['Http', '1kv', 'proxy-ip', '', 'ünicode'])('rejects the plugin id %j', async (id) => {
    const err = await rejectionOf(kernelWith([{ ...probe('x'), id }]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_INVALID_PLUGIN_ID' });
    expect(err.message).toContain(JSON.stringify(id));
  });

  it.each([
    ['^2.0.0', 'a newer major'],
    ['~0.9.0', 'an older minor'],
    ['not a range', 'an unparsable range'],
  ])('rejects a kernel range of %j (%s), naming plugin, range and version', async (range) => {
    const err = await rejectionOf(kernelWith([{ ...probe('kv'), kernel: range }]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_VERSION_MISMATCH', plugin: 'kv', details: { range, version: KERNEL_VERSION } });
    expect(err.message).toBe(`plugin 'kv' requires kernel ${range}, but this kernel is ${KERNEL_VERSION}`);
  });

  it('accepts every range that includes this kernel', async () => {
    const kernel = kernelWith([{ ...probe('a'), kernel: '^1.0.0' }, { ...probe('b'), kernel: '>=1.0.0 <2' }, { ...probe('c'), kernel: '*' }]);
    await kernel.start();
    await kernel.stop();
  });

  const stringRef = ref<string>('other.value');
  const manyStrings = manyRef<string>('other.values');
  const schema = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } };
  it.each([
    ['init is not a function', { init: 'nope' }],
    ['needs is not a record of refs', { needs: [stringRef] }],
    ['needs.x is not a ref', { needs: { x: { id: 'other.value' } } }],
    ['needs.x is not a ref', { needs: { x: 'other.value' } }],
    ['optional.x is a manyRef; put it under collects', { optional: { x: manyStrings } }],
    ['collects.x is a ref with one provider; put it under needs or optional', { collects: { x: stringRef } }],
    ['provides.x: core.config belongs to the kernel', { provides: { x: coreConfigRef } }],
    ['provides.y: other.value is provided twice', { provides: { x: stringRef, y: stringRef } }],
    ['config.schema is not a Standard Schema', { config: { schema: {} } }],
    ['config.schema is not a Standard Schema', { config: 'yes' }],
    ['config.key is not a non-empty string', { config: { schema, key: '' } }],
    ["config.whenAbsent is neither 'disable' nor 'defaults'", { config: { schema, whenAbsent: 'ignore' } }],
  ])('rejects a malformed declaration: %s', async (problem, patch) => {
    const err = await rejectionOf(kernelWith([{ ...probe('broken'), ...patch } as unknown as Plugin]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_INVALID_PLUGIN', plugin: 'broken' });
    expect(err.message).toBe(`plugin 'broken' is malformed: ${problem}`);
  });

  it('rejects an entry that is not a plugin at all, naming its position', async () => {
    const err = await rejectionOf(kernelWith([probe('ok'), undefined as unknown as Plugin]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_INVALID_PLUGIN' });
    expect(err.message).toBe("plugin '#1' is malformed: expected a plugin from definePlugin(), got undefined");
  });

  it('rejects a ref id used as one-provider in one plugin and many-provider in another', async () => {
    const one = definePlugin({ id: 'one', kernel: '^1.0.0', provides: { x: ref<string>('shared.x') }, init: () => ({ provides: { x: 'a' } }) });
    const many = definePlugin({ id: 'many', kernel: '^1.0.0', collects: { xs: manyRef<string>('shared.x') }, init: () => ({}) });
    const err = await rejectionOf(kernelWith([one, many]).start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_INVALID_PLUGIN', plugin: 'many' });
    expect(err.message).toBe("plugin 'many' is malformed: xs: shared.x is a 'many' ref here but a 'one' ref in 'one'");
  });

  it('aggregates every register problem into one RR_ERR_KERNEL_STARTUP', async () => {
    const err = await rejectionOf(
      kernelWith([{ ...probe('Bad') }, { ...probe('old'), kernel: '^0.1.0' }, probe('http', { needs: ['server'] })]).start(),
    );
    expect(err.code).toBe('RR_ERR_KERNEL_STARTUP');
    const errors = (err.details as { errors: unknown[] }).errors;
    expect(errors.map((e) => (isRrError(e) ? [e.code, e.plugin] : e))).toEqual([
      ['RR_ERR_KERNEL_INVALID_PLUGIN_ID', undefined],
      ['RR_ERR_KERNEL_VERSION_MISMATCH', 'old'],
      ['RR_ERR_KERNEL_MISSING_PROVIDER', 'http'],
    ]);
    expect(err.message.split('\n')).toEqual([
      'rr failed to start (3 problems):',
      '  - RR_ERR_KERNEL_INVALID_PLUGIN_ID: plugin id "Bad" is invalid: ids must match ^[a-z][a-z0-9_]*$',
      "  - RR_ERR_KERNEL_VERSION_MISMATCH (old): plugin 'old' requires kernel ^0.1.0, but this kernel is 1.1.0",
      "  - RR_ERR_KERNEL_MISSING_PROVIDER (http): plugin 'http' needs server.value, but no registered plugin provides it",
    ]);
  });
});

describe('scopes', () => {
  it('gives each plugin exactly what it declared, resolved through its scope', async () => {
    const seen: Record<string, unknown> = {};
    const consumer = definePlugin({
      id: 'consumer',
      kernel: '^1.0.0',
      needs: { logs: valueRef('logs'), config: coreConfigRef, kernel: coreKernelRef },
      optional: { metrics: valueRef('metrics') },
      collects: { endpoints: rpcEndpointsRef },
      init({ needs, optional, collected, id }) {
        Object.assign(seen, {
          id,
          logs: needs.logs,
          version: needs.config.version,
          has: needs.config.has('logs'),
          section: needs.config.section('logs'),
          raw: needs.config.raw(),
          kernelVersion: needs.kernel.version,
          states: needs.kernel.plugins().map((row) => `${row.id}:${row.state}`),
          metrics: optional.metrics,
          endpoints: collected.endpoints,
          keys: Object.keys(needs),
          json: JSON.stringify(optional),
        });
        return {};
      },
    });
    const logs = definePlugin({
      id: 'logs',
      kernel: '^1.0.0',
      config: { schema: probeSchema },
      provides: { value: valueRef('logs'), endpoint: rpcEndpointsRef },
      init: () => ({ provides: { value: 'the logger', endpoint: 'logs.rpc' } }),
    });
    const kernel = kernelWith([consumer, logs, probe('metrics')], { version: '3', logs: { level: 'debug' } });
    await kernel.start();
    expect(seen).toEqual({
      id: 'consumer',
      logs: 'the logger',
      version: '3',
      has: true,
      section: { level: 'debug' },
      raw: { version: '3', logs: { level: 'debug' } },
      kernelVersion: KERNEL_VERSION,
      states: ['consumer:enabled', 'logs:initialized', 'metrics:initialized'],
      metrics: 'metrics',
      endpoints: ['logs.rpc'],
      keys: ['logs', 'config', 'kernel'],
      json: '{"metrics":"metrics"}',
    });
    await kernel.stop();
  });

  it('refuses a read of anything the plugin did not declare', async () => {
    const reads: unknown[] = [];
    const sneaky = definePlugin({
      id: 'sneaky',
      kernel: '^1.0.0',
      needs: { logs: valueRef('logs') },
      async init(ctx) {
        const untyped = ctx as unknown as Record<string, Record<string, unknown>>;
        // Awaiting a view probes `then`, which must read as absent rather than throw.
        reads.push(await Promise.resolve(untyped.needs));
        for (const field of ['needs', 'optional', 'collected']) {
          try {
            reads.push(untyped[field]?.server);
          } catch (err) {
            reads.push(err);
          }
        }
        return {};
      },
    });
    const kernel = kernelWith([probe('logs'), probe('server'), sneaky]);
    await kernel.start();
    expect(reads[0]).toMatchObject({ logs: 'logs' });
    expect(reads.slice(1)).toMatchObject([
      { code: 'RR_ERR_KERNEL_UNDECLARED_REF', plugin: 'sneaky', message: "plugin 'sneaky' read needs.server, which it did not declare" },
      { code: 'RR_ERR_KERNEL_UNDECLARED_REF', message: "plugin 'sneaky' read optional.server, which it did not declare" },
      { code: 'RR_ERR_KERNEL_UNDECLARED_REF', message: "plugin 'sneaky' read collected.server, which it did not declare" },
    ]);
    await kernel.stop();
  });
});

const probeSchema = {
  '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value }) },
};
