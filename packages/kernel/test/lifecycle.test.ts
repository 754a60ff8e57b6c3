import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { coreConfigRef, createKernel, definePlugin, type Plugin, type StandardSchemaV1, type StopContext } from '../src/index.js';
import { anySection, deferred, kernelWith, probe, recordingLogger, rejectionOf, valueRef, type Deferred } from './helpers.js';

const httpSchema = z.strictObject({
  address: z.string().default('127.0.0.1:8080'),
  pool: z.strictObject({ num_workers: z.number().int().default(4) }).default({ num_workers: 4 }),
});

function configured(id: string, schema: StandardSchemaV1, trace: string[] = []): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    config: { schema },
    init: () => {
      trace.push(`init ${id}`);
      return {};
    },
  });
}

/** A plugin whose hooks are driven by the test. */
function scripted(
  id: string,
  hooks: {
    needs?: string[];
    init?: () => void | Promise<void>;
    serve?: (ctx: { fail(err: unknown): void; signal: AbortSignal }) => Promise<void> | void;
    stop?: (ctx: StopContext) => Promise<void> | void;
  },
  trace: string[],
): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    needs: Object.fromEntries((hooks.needs ?? []).map((other) => [other, valueRef(other)])),
    provides: { value: valueRef(id) },
    async init() {
      trace.push(`init ${id}`);
      await hooks.init?.();
      return {
        provides: { value: id },
        serve: async (ctx) => {
          trace.push(`serve ${id}`);
          await hooks.serve?.(ctx);
        },
        stop: async (ctx) => {
          trace.push(`stop ${id}`);
          await hooks.stop?.(ctx);
          trace.push(`stopped ${id}`);
        },
      };
    },
  });
}

describe('config validation', () => {
  it('validates every present section before any init, aggregating issues with dotted paths and codes', async () => {
    const trace: string[] = [];
    const kv = configured('kv', z.strictObject({ ttl: z.number() }), trace);
    const logs = configured('logs', anySection, trace);
    const sections = { logs: {}, http: { pool: { num_workers: 'four', max_jobs: 1, idle: 2 } }, kv: { ttl: 1 } };
    const err = await rejectionOf(kernelWith([logs, configured('http', httpSchema, trace), kv], sections).start());
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details).toEqual({
      issues: [
        { path: 'http.pool.num_workers', code: 'RR_ERR_CONFIG_INVALID_TYPE', message: 'Invalid input: expected number, received string' },
        { path: 'http.pool.max_jobs', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS', message: 'Unrecognized key: "max_jobs"' },
        { path: 'http.pool.idle', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS', message: 'Unrecognized key: "idle"' },
      ],
    });
    expect(err.message).toBe(
      [
        'configuration is invalid:',
        '  http.pool.num_workers: Invalid input: expected number, received string (RR_ERR_CONFIG_INVALID_TYPE)',
        '  http.pool.max_jobs: Unrecognized key: "max_jobs" (RR_ERR_CONFIG_UNRECOGNIZED_KEYS)',
        '  http.pool.idle: Unrecognized key: "idle" (RR_ERR_CONFIG_UNRECOGNIZED_KEYS)',
      ].join('\n'),
    );
    expect(trace).toEqual([]);
  });

  it('maps vendor issue codes to RR_ERR_CONFIG_* and issues without one to RR_ERR_CONFIG_INVALID_VALUE', async () => {
    const custom = {
      '~standard': {
        version: 1 as const,
        vendor: 'hand-written',
        validate: async () => ({
          issues: [
            { message: 'no code here', path: [{ key: 'servers' }, 0, Symbol('addr')] },
            { message: 'camel-cased code', code: 'tooBig', path: ['limit'] },
            { message: 'whole section' },
            { message: 'anonymous symbol', path: [Symbol()] },
          ],
        }),
      },
    };
    const err = await rejectionOf(kernelWith([configured('custom', custom)], { custom: {} }).start());
    expect(err).toMatchObject({
      code: 'RR_ERR_KERNEL_CONFIG_INVALID',
      details: {
        issues: [
          { path: 'custom.servers.0.addr', code: 'RR_ERR_CONFIG_INVALID_VALUE', message: 'no code here' },
          { path: 'custom.limit', code: 'RR_ERR_CONFIG_TOO_BIG', message: 'camel-cased code' },
          { path: 'custom', code: 'RR_ERR_CONFIG_INVALID_VALUE', message: 'whole section' },
          { path: 'custom.symbol', code: 'RR_ERR_CONFIG_INVALID_VALUE', message: 'anonymous symbol' },
        ],
      },
    });
  });

  it('reports a schema that throws as an issue on its section', async () => {
    const throwing = (thrown: unknown) => ({
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: () => {
          throw thrown;
        },
      },
    });
    const err = await rejectionOf(
      kernelWith([configured('a', throwing(new Error('bad duration "1x"'))), configured('b', throwing('plain'))], { a: {}, b: {} }).start(),
    );
    expect(err).toMatchObject({
      details: {
        issues: [
          { path: 'a', code: 'RR_ERR_CONFIG_INVALID_VALUE', message: 'bad duration "1x"' },
          { path: 'b', code: 'RR_ERR_CONFIG_INVALID_VALUE', message: 'plain' },
        ],
      },
    });
  });

  it("deep-freezes the validated config and the raw view, never the caller's objects", async () => {
    const seen: { config?: unknown; raw?: unknown } = {};
    const http = definePlugin({
      id: 'http',
      kernel: '^1.0.0',
      config: { schema: z.object({ pool: z.object({ num_workers: z.number() }), started: z.date(), tags: z.array(z.string()) }) },
      needs: { config: coreConfigRef },
      init({ config, needs }) {
        seen.config = config;
        seen.raw = needs.config.raw();
        return {};
      },
    });
    const sections = { http: { pool: { num_workers: 2 }, started: new Date(0), tags: ['a'] } };
    const kernel = kernelWith([http], sections);
    await kernel.start();
    const config = seen.config as { pool: object; started: Date; tags: string[] };
    expect(Object.isFrozen(config) && Object.isFrozen(config.pool) && Object.isFrozen(config.tags)).toBe(true);
    expect(Object.isFrozen(config.started)).toBe(false);
    expect(Object.isFrozen((seen.raw as { http: { pool: object } }).http.pool)).toBe(true);
    expect(Object.isFrozen(sections.http.pool) || Object.isFrozen(sections)).toBe(false);
    await kernel.stop();
  });

  it('treats a section with nothing under it as present, validated from {}', async () => {
    const seen: unknown[] = [];
    const kv = definePlugin({
      id: 'kv',
      kernel: '^1.0.0',
      config: { schema: z.object({ ttl: z.number().default(60) }) },
      init({ config }) {
        seen.push(config);
        return {};
      },
    });
    const kernel = kernelWith([kv], { kv: null });
    await kernel.start();
    expect(seen).toEqual([{ ttl: 60 }]);
    await kernel.stop();
  });

  it('warns about a top-level section no plugin owns, except version and ignored sections', async () => {
    const logger = recordingLogger();
    const kernel = kernelWith([configured('http', httpSchema), configured('static', anySection)], { version: '3', http: {}, endure: {}, htp: {} }, {
      logger,
      ignoreSections: ['endure'],
    });
    await kernel.start();
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([
      { level: 'warn', msg: "config section 'htp' is not used by any plugin", fields: { code: 'RR_WARN_CONFIG_UNKNOWN_SECTION', section: 'htp' } },
    ]);
    await kernel.stop();
  });

  it('reports invalid config and fatal disabled needs together', async () => {
    const needsServer = definePlugin({ id: 'http', kernel: '^1.0.0', config: { schema: anySection }, needs: { s: valueRef('server') }, init: () => ({}) });
    const server = definePlugin({
      id: 'server',
      kernel: '^1.0.0',
      config: { schema: anySection },
      provides: { v: valueRef('server') },
      init: () => ({ provides: { v: 'x' } }),
    });
    const err = await rejectionOf(kernelWith([needsServer, server, configured('kv', z.strictObject({}))], { http: {}, kv: { x: 1 } }).start());
    expect(err.code).toBe('RR_ERR_KERNEL_STARTUP');
    expect((err.details as { errors: { code: string }[] }).errors.map((e) => e.code)).toEqual([
      'RR_ERR_KERNEL_CONFIG_INVALID',
      'RR_ERR_KERNEL_NEED_DISABLED',
    ]);
  });
});

describe('lifecycle', () => {
  it('serves one plugin at a time in serve order and emits ready after the last serve resolved', async () => {
    const trace: string[] = [];
    const logsReady = deferred();
    const kernel = kernelWith([
      scripted('http', { needs: ['logs'] }, trace),
      scripted('logs', { serve: () => logsReady.promise }, trace),
    ]);
    const states: string[] = [];
    kernel.on('state', ({ plugin, state }) => states.push(`${plugin}:${state}`));
    kernel.on('ready', () => trace.push('ready'));
    const started = kernel.start();
    await waitFor(trace, 'serve logs');
    expect(kernel.state).toBe('starting');
    logsReady.resolve();
    await started;
    expect(trace).toEqual(['init logs', 'init http', 'serve logs', 'serve http', 'ready']);
    expect(kernel.state).toBe('running');
    expect(states).toEqual([
      'logs:enabled',
      'http:enabled',
      'logs:initialized',
      'http:initialized',
      'logs:serving',
      'http:serving',
    ]);
    await kernel.stop();
  });

  it('marks a plugin without serve or stop as serving, then stopped', async () => {
    const bare = definePlugin({ id: 'bare', kernel: '^1.0.0', init: () => undefined as never });
    const kernel = kernelWith([bare]);
    await kernel.start();
    expect(kernel.report()).toEqual([{ id: 'bare', state: 'serving' }]);
    await kernel.stop();
    expect(kernel.report()).toEqual([{ id: 'bare', state: 'stopped' }]);
  });

  it('stops in exact reverse order level by level with fan-out', async () => {
    const trace: string[] = [];
    const gates: Record<string, Deferred> = { a: deferred(), b: deferred(), c: deferred() };
    const fan = (id: string) => scripted(id, { needs: ['logs'], stop: () => gates[id]?.promise }, trace);
    const kernel = kernelWith([scripted('d', { needs: ['a', 'b', 'c'] }, trace), fan('b'), fan('a'), fan('c'), scripted('logs', {}, trace)]);
    await kernel.start();
    trace.length = 0;
    const stopped = kernel.stop();
    await waitFor(trace, 'stop a');
    // The whole level is stopping at once; logs waits for all three.
    gates.b?.resolve();
    gates.c?.resolve();
    gates.a?.resolve();
    await stopped;
    expect(trace).toEqual(['stop d', 'stopped d', 'stop c', 'stop b', 'stop a', 'stopped b', 'stopped c', 'stopped a', 'stop logs', 'stopped logs']);
    expect(kernel.report().map((row) => row.state)).toEqual(['stopped', 'stopped', 'stopped', 'stopped', 'stopped']);
  });

  it('gives each stop an AbortSignal and an epoch-ms deadline', async () => {
    const contexts: StopContext[] = [];
    const before = Date.now();
    const kernel = kernelWith([scripted('kv', { stop: (ctx) => void contexts.push(ctx) }, [])], {}, { stopTimeoutMs: 5_000 });
    await kernel.start();
    await kernel.stop();
    const [ctx] = contexts;
    expect(ctx?.signal.aborted).toBe(false);
    expect(ctx?.deadline).toBeGreaterThanOrEqual(before + 5_000);
    expect(ctx?.deadline).toBeLessThanOrEqual(Date.now() + 5_000);
  });

  it('aborts a stop at its deadline and continues', async () => {
    const trace: string[] = [];
    const logger = recordingLogger();
    let stuckSignal: AbortSignal | undefined;
    const stuck = scripted(
      'stuck',
      {
        needs: ['logs'],
        stop: async ({ signal }) => {
          stuckSignal = signal;
          await once(signal, 'abort');
          trace.push('stuck saw the abort');
          await new Promise<never>(() => {});
        },
      },
      trace,
    );
    const kernel = kernelWith([stuck, scripted('logs', {}, trace)], {}, { stopTimeoutMs: 50, logger });
    await kernel.start();
    const err = await rejectionOf(kernel.stop());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_STOP_FAILED' });
    expect((err.details as { errors: unknown[] }).errors).toMatchObject([
      { code: 'RR_ERR_KERNEL_STOP_TIMEOUT', plugin: 'stuck', details: { timeoutMs: 50 }, message: "plugin 'stuck' did not stop within 50 ms; moving on" },
    ]);
    expect(err.message).toBe("1 plugin failed to stop: \n  - RR_ERR_KERNEL_STOP_TIMEOUT (stuck): plugin 'stuck' did not stop within 50 ms; moving on");
    expect(stuckSignal?.aborted).toBe(true);
    expect(trace.slice(-4)).toEqual(['stop stuck', 'stuck saw the abort', 'stop logs', 'stopped logs']);
    expect(kernel.report()).toEqual([
      { id: 'stuck', state: 'failed', code: 'RR_ERR_KERNEL_STOP_TIMEOUT', reason: "plugin 'stuck' did not stop within 50 ms; moving on" },
      { id: 'logs', state: 'stopped' },
    ]);
    expect(logger.lines).toContainEqual({ level: 'error', msg: 'plugin stop timed out', fields: { plugin: 'stuck', timeout_ms: 50 } });
  });

  it('wraps every failing stop, keeps stopping the rest and aggregates them', async () => {
    const trace: string[] = [];
    const boom = new Error('socket already closed');
    const kernel = kernelWith([
      scripted('a', { stop: () => Promise.reject(boom) }, trace),
      scripted('b', {
        stop: () => {
          throw 'not an error';
        },
      }, trace),
      scripted('c', {}, trace),
    ]);
    await kernel.start();
    const err = await rejectionOf(kernel.stop());
    expect(err.code).toBe('RR_ERR_KERNEL_STOP_FAILED');
    const errors = (err.details as { errors: { cause?: unknown }[] }).errors;
    expect(errors).toMatchObject([
      { code: 'RR_ERR_KERNEL_STOP_FAILED', plugin: 'b', message: "plugin 'b' failed to stop: not an error" },
      { code: 'RR_ERR_KERNEL_STOP_FAILED', plugin: 'a', message: "plugin 'a' failed to stop: socket already closed" },
    ]);
    expect(errors[1]?.cause).toBe(boom);
    expect(trace.filter((line) => line.startsWith('stop'))).toEqual(['stop c', 'stop b', 'stop a', 'stopped c']);
    expect(err.message.startsWith('2 plugins failed to stop:')).toBe(true);
  });

  it('stops the plugins already initialised, in reverse order, when an init fails', async () => {
    const trace: string[] = [];
    const boom = new Error('cannot open boltdb file');
    const kernel = kernelWith([
      scripted('a', {}, trace),
      scripted('b', { needs: ['a'] }, trace),
      scripted('c', { needs: ['b'], init: () => Promise.reject(boom) }, trace),
      scripted('d', { needs: ['c'] }, trace),
    ]);
    const err = await rejectionOf(kernel.start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_INIT_FAILED', plugin: 'c', message: "plugin 'c' failed to init: cannot open boltdb file" });
    expect(err.cause).toBe(boom);
    expect(trace).toEqual(['init a', 'init b', 'init c', 'stop b', 'stopped b', 'stop a', 'stopped a']);
    expect(kernel.report().map((row) => [row.id, row.state, row.code])).toEqual([
      ['a', 'stopped', undefined],
      ['b', 'stopped', undefined],
      ['c', 'failed', 'RR_ERR_KERNEL_INIT_FAILED'],
      ['d', 'enabled', undefined],
    ]);
    expect(kernel.state).toBe('stopped');
    await expect(kernel.done).rejects.toBe(err);
    await kernel.stop();
  });

  it('aggregates an init failure with the failures of the stops it triggered', async () => {
    const failing = definePlugin({
      id: 'failing',
      kernel: '^1.0.0',
      needs: { a: valueRef('a') },
      init: () => {
        throw 'string thrown';
      },
    });
    const kernel = kernelWith([scripted('a', { stop: () => Promise.reject(new Error('leak')) }, []), failing]);
    const err = await rejectionOf(kernel.start());
    expect(err.code).toBe('RR_ERR_KERNEL_STARTUP');
    expect((err.details as { errors: unknown[] }).errors).toMatchObject([
      { code: 'RR_ERR_KERNEL_INIT_FAILED', plugin: 'failing', message: "plugin 'failing' failed to init: string thrown" },
      { code: 'RR_ERR_KERNEL_STOP_FAILED', plugin: 'a' },
    ]);
    // stop() reports the same stop failures once more to whoever asks.
    expect(await rejectionOf(kernel.stop())).toMatchObject({ code: 'RR_ERR_KERNEL_STOP_FAILED' });
  });

  it('rejects provides that miss a declared key or add an undeclared one, and still stops that plugin', async () => {
    const trace: string[] = [];
    const sloppy = definePlugin({
      id: 'sloppy',
      kernel: '^1.0.0',
      provides: { a: valueRef('a'), b: valueRef('b') },
      init: () =>
        ({
          provides: { a: 'x', c: 'surprise' },
          stop: () => void trace.push('stop sloppy'),
        }) as never,
    });
    const err = await rejectionOf(kernelWith([sloppy]).start());
    expect(err).toMatchObject({
      code: 'RR_ERR_KERNEL_PROVIDES_MISMATCH',
      plugin: 'sloppy',
      details: { missing: ['b'], unexpected: ['c'] },
      message: "plugin 'sloppy' init returned provides that do not match its declaration: missing b; undeclared c",
    });
    expect(trace).toEqual(['stop sloppy']);

    const empty = definePlugin({ id: 'empty', kernel: '^1.0.0', provides: { a: valueRef('a') }, init: () => ({}) as never });
    expect(await rejectionOf(kernelWith([empty]).start())).toMatchObject({ details: { missing: ['a'], unexpected: [] } });
  });

  it('fails start when a serve rejects, stopping every initialised plugin in order', async () => {
    const trace: string[] = [];
    const kernel = kernelWith([
      scripted('logs', {}, trace),
      scripted('http', { needs: ['logs'], serve: () => Promise.reject(new Error('address in use')) }, trace),
      scripted('late', { needs: ['http'] }, trace),
    ]);
    const err = await rejectionOf(kernel.start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_SERVE_FAILED', plugin: 'http', message: "plugin 'http' failed while serving: address in use" });
    expect(trace).toEqual([
      'init logs',
      'init http',
      'init late',
      'serve logs',
      'serve http',
      'stop late',
      'stopped late',
      'stop http',
      'stopped http',
      'stop logs',
      'stopped logs',
    ]);
    expect(kernel.report().map((row) => row.state)).toEqual(['stopped', 'failed', 'stopped']);
  });

  it('stops the others in order when a serving plugin fails, and rejects done with RR_ERR_KERNEL_SERVE_FAILED', async () => {
    const trace: string[] = [];
    const logger = recordingLogger();
    let fail: ((err: unknown) => void) | undefined;
    const kernel = kernelWith(
      [
        scripted('logs', {}, trace),
        scripted('http', { needs: ['logs'], serve: (ctx) => void (fail = ctx.fail) }, trace),
        scripted('jobs', { needs: ['logs'] }, trace),
      ],
      {},
      { logger },
    );
    const failures: unknown[] = [];
    kernel.on('failed', (error) => failures.push(error));
    await kernel.start();
    trace.length = 0;
    const cause = new Error('worker pool exhausted');
    fail?.(cause);
    const err = await rejectionOf(kernel.done);
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_SERVE_FAILED', plugin: 'http', message: "plugin 'http' failed while serving: worker pool exhausted" });
    expect(err.cause).toBe(cause);
    expect(failures).toEqual([err]);
    expect(trace).toEqual(['stop jobs', 'stop http', 'stopped jobs', 'stopped http', 'stop logs', 'stopped logs']);
    expect(kernel.report().map((row) => [row.id, row.state])).toEqual([
      ['logs', 'stopped'],
      ['http', 'failed'],
      ['jobs', 'stopped'],
    ]);
    fail?.(new Error('again'));
    expect(logger.lines).toContainEqual({
      level: 'warn',
      msg: 'plugin reported a failure after shutdown began; ignored',
      fields: { plugin: 'http', error: 'again' },
    });
    await kernel.stop();
    await expect(kernel.done).rejects.toBe(err);
  });

  it('fails start when a plugin calls fail() before its serve resolved', async () => {
    const trace: string[] = [];
    const kernel = kernelWith(
      [scripted('watcher', { serve: ({ fail, signal }) => (fail(new Error('inotify limit')), once(signal, 'abort').then(() => undefined)) }, trace)],
      {},
    );
    const err = await rejectionOf(kernel.start());
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_SERVE_FAILED', plugin: 'watcher', message: "plugin 'watcher' failed while serving: inotify limit" });
    expect(trace).toEqual(['init watcher', 'serve watcher', 'stop watcher', 'stopped watcher']);
    await expect(kernel.done).rejects.toBe(err);
  });

  it('stops once however often stop() is called', async () => {
    const trace: string[] = [];
    const events: string[] = [];
    const kernel = kernelWith([scripted('kv', {}, trace)]);
    kernel.on('stopping', () => events.push('stopping'));
    kernel.on('stopped', () => events.push('stopped'));
    await kernel.start();
    const first = kernel.stop();
    expect(kernel.stop()).toBe(first);
    await first;
    await kernel.stop();
    await kernel.done;
    expect(trace.filter((line) => line === 'stop kv')).toHaveLength(1);
    expect(events).toEqual(['stopping', 'stopped']);
    expect(kernel.state).toBe('stopped');
  });

  it('starts once however often start() is called', async () => {
    const trace: string[] = [];
    const kernel = kernelWith([scripted('kv', {}, trace)]);
    expect(kernel.start()).toBe(kernel.start());
    await kernel.start();
    expect(trace).toEqual(['init kv', 'serve kv']);
    await kernel.stop();
  });

  it('stopped before it started, a kernel runs nothing and refuses to start', async () => {
    const trace: string[] = [];
    const kernel = kernelWith([scripted('kv', {}, trace)]);
    expect(kernel.state).toBe('idle');
    expect(kernel.report()).toEqual([{ id: 'kv', state: 'registered' }]);
    await kernel.stop();
    await kernel.done;
    expect(await rejectionOf(kernel.start())).toMatchObject({
      code: 'RR_ERR_KERNEL_INVALID_STATE',
      message: 'cannot start a kernel that is stopped',
    });
    expect(trace).toEqual([]);
  });

  it('finishes the in-flight init when stopped during start, then stops what initialised', async () => {
    const trace: string[] = [];
    const gate = deferred();
    const kernel = kernelWith([
      scripted('a', {}, trace),
      scripted('b', { needs: ['a'], init: () => gate.promise }, trace),
      scripted('c', { needs: ['b'] }, trace),
    ]);
    const started = kernel.start();
    await waitFor(trace, 'init b');
    const stopped = kernel.stop();
    expect(kernel.state).toBe('starting');
    gate.resolve();
    const err = await rejectionOf(started);
    await stopped;
    expect(err).toMatchObject({ code: 'RR_ERR_KERNEL_START_ABORTED' });
    expect(trace).toEqual(['init a', 'init b', 'stop b', 'stopped b', 'stop a', 'stopped a']);
    await expect(kernel.done).rejects.toBe(err);
  });

  it('stops even while a serve never resolves, aborting its signal', async () => {
    const trace: string[] = [];
    let serveSignal: AbortSignal | undefined;
    const kernel = kernelWith([
      scripted(
        'hang',
        {
          serve: ({ signal }) => {
            serveSignal = signal;
            return new Promise<void>(() => {});
          },
        },
        trace,
      ),
    ]);
    const started = kernel.start();
    await waitFor(trace, 'serve hang');
    await kernel.stop();
    expect(await rejectionOf(started)).toMatchObject({ code: 'RR_ERR_KERNEL_START_ABORTED' });
    expect(serveSignal?.aborted).toBe(true);
    expect(trace).toEqual(['init hang', 'serve hang', 'stop hang', 'stopped hang']);
  });

  it('reports a throwing event listener through the logger and carries on', async () => {
    const logger = recordingLogger();
    const kernel = kernelWith([probe('kv')], {}, { logger });
    const off = kernel.on('ready', () => {
      throw new Error('listener bug');
    });
    await kernel.start();
    off();
    await kernel.stop();
    expect(logger.lines).toContainEqual({ level: 'error', msg: 'kernel event listener threw', fields: { event: 'ready', error: 'listener bug' } });
    expect(kernel.state).toBe('stopped');
  });

  it.each([
    ['stopTimeoutMs must be a positive number of milliseconds, got 0', { stopTimeoutMs: 0 }],
    ['stopTimeoutMs must be a positive number of milliseconds, got NaN', { stopTimeoutMs: Number.NaN }],
    ['plugins must be an array', { plugins: 'kv' }],
    ['config.sections must be an object', { config: { version: '3' } }],
  ])('refuses options where %s', (problem, patch) => {
    const build = () => createKernel({ plugins: [], config: { version: '3', sections: {} }, ...(patch as object) });
    expect(build).toThrow(expect.objectContaining({ code: 'RR_ERR_KERNEL_INVALID_OPTIONS', message: `invalid kernel options: ${problem}` }));
  });

  it('never touches process', () => {
    const dir = new URL('../src/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const code = readFileSync(new URL(file, dir), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\bprocess\b/);
    }
  });

  it('logs lifecycle steps through the given logger only', async () => {
    const logger = recordingLogger();
    const kernel = kernelWith([probe('kv'), configured('off', anySection)], {}, { logger });
    await kernel.start();
    await kernel.stop();
    expect(logger.lines.map((line) => `${line.level} ${line.msg}`)).toEqual([
      'info plugin disabled',
      'debug plugin initialized',
      'debug plugin serving',
      'info kernel ready',
      'debug plugin stopped',
    ]);
  });
});

/** Resolves once `line` appears in `trace` (checked after every microtask turn). */
async function waitFor(trace: string[], line: string): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (trace.includes(line)) return;
    await Promise.resolve();
  }
  throw new Error(`'${line}' never appeared in ${JSON.stringify(trace)}`);
}

