import { loadConfigText } from '@rr/config';
import type { RrError, StandardSchemaV1 } from '@rr/kernel';
import { endpointsProbe, startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { kvConfigSchema, kvPlugin } from '../src/index.js';
import { driverPlugin, newWorld, startFailure, startKv, type World } from './helpers.js';

async function sections(yaml: string): Promise<Record<string, unknown>> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: {} })).sections;
}

/** Boots kv with the fake drivers (fake owns its root section, other does not) and returns the start error. */
async function startError(yaml: string, world: World = newWorld()): Promise<RrError> {
  return startFailure({ plugins: [driverPlugin('fake', world), driverPlugin('other', world, { section: false }), kvPlugin], config: await sections(yaml) });
}

describe('kv config schema', () => {
  it.each([
    ['a driver', 'kv: { a: { driver: memory } }', { a: { driver: 'memory' } }],
    ['a driver with its config', 'kv: { a: { driver: redis, config: { addrs: ["x:1"] } } }', { a: { driver: 'redis', config: { addrs: ['x:1'] } } }],
    ['config with nothing under it', 'kv:\n  a:\n    driver: memory\n    config:\n', { a: { driver: 'memory', config: null } }],
    ['several storages', 'kv: { a: { driver: memory }, b: { driver: boltdb } }', { a: { driver: 'memory' }, b: { driver: 'boltdb' } }],
  ])('accepts %s', async (_name, yaml, expected) => {
    expect(kvConfigSchema.parse((await sections(yaml)).kv)).toEqual(expected);
  });

  it.each([
    ['an unknown key in a storage', 'kv: { a: { driver: memory, ttl: 5 } }', 'kv.a.ttl', 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS'],
    ['a storage that is not a map', 'kv: { a: memory }', 'kv.a', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['a driver that is not a string', 'kv: { a: { driver: [memory] } }', 'kv.a.driver', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['config that is not a map', 'kv: { a: { driver: memory, config: "x" } }', 'kv.a.config', 'RR_ERR_CONFIG_INVALID_TYPE'],
  ])('the kernel refuses %s with its path', async (_name, yaml, path, code) => {
    const err = await startError(yaml);
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details.issues).toEqual([expect.objectContaining({ path, code })]);
  });

  it('marks driver as required in the generated JSON Schema, though init checks it', () => {
    const json = z.toJSONSchema(kvConfigSchema, { io: 'input' }) as { additionalProperties: { required: string[]; properties: Record<string, { description?: string }> } };
    expect(json.additionalProperties.required).toEqual(['driver']);
    expect(Object.values(json.additionalProperties.properties).every((p) => typeof p.description === 'string')).toBe(true);
  });
});

describe('kv section absent or empty', () => {
  it.each([
    ['absent', ''],
    ['with nothing under it', 'kv:\n'],
    ['an empty map', 'kv: {}\n'],
  ])('%s: the plugin is disabled and provides no endpoint', async (_name, yaml) => {
    const probe = endpointsProbe();
    const t = await startTestKernel({ plugins: [driverPlugin('fake', newWorld()), kvPlugin, probe.plugin], config: await sections(yaml) });
    try {
      expect(t.kernel.report().find((r) => r.id === 'kv')).toMatchObject({ state: 'disabled' });
      expect(probe.endpoints()).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});

describe('kv storages: every problem at once', () => {
  it('reports unknown and missing drivers and every driver-config issue of every storage, with dotted paths', async () => {
    const world = newWorld();
    const err = await startError(
      [
        'kv:',
        '  cache: { driver: fake, config: { addrs: ["127.0.0.1:6379", "nope"], label: 5, colour: red } }',
        '  x: { driver: foo }',
        '  y: { config: { label: a } }',
        '  z: { driver: "  " }',
        '  s1: { driver: other }',
        '  s2: { driver: other }',
        '  fine: { driver: fake }',
        'other: { addrs: [bad] }',
      ].join('\n'),
      world,
    );
    expect(err.code).toBe('RR_ERR_KERNEL_INIT_FAILED');
    const cause = err.cause as RrError;
    expect(cause.code).toBe('RR_ERR_KV_CONFIG_INVALID');
    expect(cause.details.issues).toEqual([
      { path: 'kv.cache.config.label', code: 'RR_ERR_CONFIG_INVALID_TYPE', message: expect.stringContaining('expected string') },
      { path: 'kv.cache.config.addrs.1', code: 'RR_ERR_CONFIG_INVALID_FORMAT', message: 'expected host:port' },
      { path: 'kv.cache.config.colour', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS', message: 'Unrecognized key: "colour"' },
      { path: 'kv.x.driver', code: 'RR_ERR_KV_UNKNOWN_DRIVER', message: expect.stringContaining('unknown driver "foo" (available: fake, other)'), hint: expect.stringContaining('plugin') },
      { path: 'kv.y.driver', code: 'RR_ERR_KV_MISSING_DRIVER', message: 'required: every storage names its driver (available: fake, other)', hint: expect.any(String) },
      { path: 'kv.z.driver', code: 'RR_ERR_KV_MISSING_DRIVER', message: expect.stringMatching(/^required/), hint: expect.any(String) },
      // The root section shared by s1 and s2 is reported once, under its own path.
      { path: 'other.addrs.0', code: 'RR_ERR_CONFIG_INVALID_FORMAT', message: 'expected host:port' },
    ]);
    expect(cause.message).toMatchInlineSnapshot(`
      "kv storages are invalid:
        kv.cache.config.label: Invalid input: expected string, received number (RR_ERR_CONFIG_INVALID_TYPE)
        kv.cache.config.addrs.1: expected host:port (RR_ERR_CONFIG_INVALID_FORMAT)
        kv.cache.config.colour: Unrecognized key: "colour" (RR_ERR_CONFIG_UNRECOGNIZED_KEYS)
        kv.x.driver: unknown driver "foo" (available: fake, other); a driver exists only when its plugin is compiled into rr (RR_ERR_KV_UNKNOWN_DRIVER)
        kv.y.driver: required: every storage names its driver (available: fake, other) (RR_ERR_KV_MISSING_DRIVER)
        kv.z.driver: required: every storage names its driver (available: fake, other) (RR_ERR_KV_MISSING_DRIVER)
        other.addrs.0: expected host:port (RR_ERR_CONFIG_INVALID_FORMAT)"
    `);
    expect(world.opened).toEqual([]);
  });

  it('with no driver plugin at all, says none is available', async () => {
    const err = await startFailure({ plugins: [kvPlugin], config: { kv: { a: { driver: 'memory' } } } });
    expect((err.cause as RrError).details.issues).toEqual([expect.objectContaining({ path: 'kv.a.driver', message: expect.stringContaining('(available: none)') })]);
  });

  it('a driver schema that throws is an issue on its section, reported with the others', async () => {
    const world = newWorld();
    const throwing: StandardSchemaV1<unknown, never> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new Error('transform exploded');
        },
      },
    };
    const err = await startFailure({
      plugins: [driverPlugin('fake', world, { configSchema: throwing }), kvPlugin],
      config: { kv: { a: { driver: 'fake', config: {} }, b: { driver: 'nope' } } },
    });
    expect((err.cause as RrError).details.issues).toEqual([
      { path: 'kv.a.config', code: 'RR_ERR_CONFIG_INVALID_VALUE', message: 'transform exploded' },
      expect.objectContaining({ path: 'kv.b.driver', code: 'RR_ERR_KV_UNKNOWN_DRIVER' }),
    ]);
    expect(world.opened).toEqual([]);
  });
});

describe('driver config source', () => {
  it('uses kv.<name>.config when present, else the driver’s root section, else the driver’s defaults', async () => {
    const kv = await startKv({
      kv: { local: { driver: 'fake', config: { label: 'local' } }, global: { driver: 'fake' }, nulled: { driver: 'fake', config: null }, bare: { driver: 'other' } },
      fake: { label: 'root', addrs: ['10.0.0.1:6379'] },
    });
    try {
      const byStorage = Object.fromEntries(kv.world.opened.map((o) => [o.storage, o.config]));
      expect(byStorage).toEqual({
        local: { label: 'local', addrs: [], fail_open: false, fail_close: false, ttl: true },
        global: { label: 'root', addrs: ['10.0.0.1:6379'], fail_open: false, fail_close: false, ttl: true },
        nulled: { label: 'root', addrs: ['10.0.0.1:6379'], fail_open: false, fail_close: false, ttl: true },
        bare: { label: '', addrs: [], fail_open: false, fail_close: false, ttl: true },
      });
    } finally {
      await kv.close();
    }
  });

  it('two plugins providing the driver a storage uses fail init with RR_ERR_KV_DUPLICATE_DRIVER', async () => {
    const world = newWorld();
    const err = await startFailure({
      plugins: [driverPlugin('fake', world), driverPlugin('fake_again', world, { section: false, name: 'fake' }), kvPlugin],
      config: { kv: { a: { driver: 'fake' } } },
    });
    expect(err.code).toBe('RR_ERR_KERNEL_INIT_FAILED');
    expect(err.cause).toMatchObject({ code: 'RR_ERR_KV_DUPLICATE_DRIVER', message: '2 plugins provide the kv driver "fake"' });
  });
});
