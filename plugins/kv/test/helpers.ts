import { kvDriversRef, type KvDriver, type KvExpiry, type KvItem, type KvOpenContext, type KvStorage } from '@rr/contracts';
import { CODEC_PROTO, RpcClient, RpcServer, type RpcCodec } from '@rr/goridge';
import { definePlugin, RrError, type Plugin, type StandardSchemaV1 } from '@rr/kernel';
import { endpointsProbe, startTestKernel, type TestKernel } from '@rr/testkit';
import protobuf from 'protobufjs';
import { z } from 'zod';
import { kvPlugin } from '../src/index.js';

/** The fake driver's options; `addrs` imitates redis's list of host:port so paths like `addrs.0` appear. */
export const fakeConfigSchema = z.strictObject({
  label: z.string().default(''),
  addrs: z.array(z.string().regex(/^[^:]+:\d+$/, 'expected host:port')).default([]),
  fail_open: z.boolean().default(false),
  fail_close: z.boolean().default(false),
  ttl: z.boolean().default(true),
});
type FakeConfig = z.output<typeof fakeConfigSchema>;

/** What the fake drivers saw, shared by every storage they open in one test. */
export interface World {
  opened: KvOpenContext<FakeConfig>[];
  closed: { storage: string; signal: AbortSignal }[];
  calls: { storage: string; method: string; arg: unknown }[];
}

export const newWorld = (): World => ({ opened: [], closed: [], calls: [] });

// A Map-based storage. Key "explode" makes set() fail with a plain Error, "rr-explode" with an RrError,
// so tests can see how driver failures reach PHP.
function fakeStorage(name: string, driver: string, config: FakeConfig, world: World): KvStorage {
  const items = new Map<string, { value: Uint8Array; expiresAt: number | undefined }>();
  const live = (key: string) => {
    const item = items.get(key);
    if (item?.expiresAt !== undefined && item.expiresAt <= Date.now()) {
      items.delete(key);
      return undefined;
    }
    return item;
  };
  const record = (method: string, arg: unknown) => world.calls.push({ storage: name, method, arg });
  return {
    async has(keys) {
      record('has', keys);
      return [...new Set(keys)].filter((k) => live(k) !== undefined);
    },
    async set(batch: readonly KvItem[]) {
      record('set', batch);
      if (batch.some((i) => i.key === 'explode')) throw new Error('disk on fire');
      if (batch.some((i) => i.key === 'rr-explode')) throw new RrError('RR_ERR_FAKE_REFUSED', 'fake backend refused the write');
      for (const i of batch) {
        if (i.expiresAt !== undefined && i.expiresAt <= Date.now()) items.delete(i.key);
        else items.set(i.key, { value: i.value, expiresAt: i.expiresAt });
      }
    },
    async mget(keys) {
      record('mget', keys);
      const out = new Map<string, Uint8Array>();
      for (const k of keys) {
        const item = live(k);
        if (item !== undefined) out.set(k, item.value);
      }
      return out;
    },
    async mexpire(batch: readonly KvExpiry[]) {
      record('mexpire', batch);
      for (const e of batch) {
        const item = live(e.key);
        if (item === undefined) continue;
        if (e.expiresAt <= Date.now()) items.delete(e.key);
        else item.expiresAt = e.expiresAt;
      }
    },
    async ttl(keys) {
      record('ttl', keys);
      if (!config.ttl) throw new RrError('RR_ERR_FAKE_TTL', `${driver}_plugin_ttl: the backend cannot report deadlines`);
      const out = new Map<string, number | null>();
      for (const k of keys) {
        const item = live(k);
        if (item !== undefined) out.set(k, item.expiresAt ?? null);
      }
      return out;
    },
    async delete(keys) {
      record('delete', keys);
      for (const k of keys) items.delete(k);
    },
    async clear() {
      record('clear', undefined);
      items.clear();
    },
    async close(signal) {
      world.closed.push({ storage: name, signal });
      if (config.fail_close) throw new Error('socket already gone');
    },
  };
}

export function fakeDriver(name: string, world: World): KvDriver<FakeConfig> {
  return {
    name,
    configSchema: fakeConfigSchema,
    async open(ctx) {
      if (ctx.config.fail_open) throw new Error('connection refused');
      world.opened.push(ctx);
      return fakeStorage(ctx.storage, name, ctx.config, world);
    },
  };
}

/** Options of {@link driverPlugin}. */
export interface DriverPluginOptions {
  /** Own the root section (whenAbsent defaults), as real driver plugins do; without, only kv sees it. */
  section?: boolean;
  /** The driver name users write in `driver:` (default: the plugin id). */
  name?: string;
  /** Replaces the driver's config schema. */
  configSchema?: StandardSchemaV1<unknown, FakeConfig>;
}

/** A driver plugin like memory or redis, providing a fake driver through kvDriversRef. */
export function driverPlugin(id: string, world: World, options: DriverPluginOptions = {}): Plugin {
  const driver = fakeDriver(options.name ?? id, world);
  return definePlugin({
    id,
    kernel: '^1.0.0',
    ...(options.section === false ? {} : { config: { schema: fakeConfigSchema, whenAbsent: 'defaults' as const } }),
    provides: { kvDriver: kvDriversRef },
    init: () => ({ provides: { kvDriver: options.configSchema === undefined ? driver : { ...driver, configSchema: options.configSchema } } }),
  });
}

// The PHP side's messages, from the .proto text itself, independent of the plugin's JSON descriptor.
const KV_PROTO = `
syntax = "proto3";
package kv.v1;
message Request { string storage = 1; repeated Item items = 2; }
message Item { string key = 1; bytes value = 2; string timeout = 3; }
message Response { repeated Item items = 1; }
`;
const pb = protobuf.parse(KV_PROTO).root;
const RequestType = pb.lookupType('kv.v1.Request');
const ResponseType = pb.lookupType('kv.v1.Response');

/** One item as the tests write it: value as text or bytes. */
export interface TestItem {
  key: string;
  value?: string | Uint8Array;
  timeout?: string;
}

export function encodeRequest(storage: string, items: readonly TestItem[] = []): Buffer {
  const message = RequestType.fromObject({
    storage,
    items: items.map((i) => ({ ...i, value: typeof i.value === 'string' ? Buffer.from(i.value) : i.value })),
  });
  return Buffer.from(RequestType.encode(message).finish());
}

/** A decoded Response item; only the fields present on the wire. */
export interface ReplyItem {
  key: string;
  value?: Buffer;
  timeout?: string;
}

export function decodeResponse(bytes: Uint8Array): ReplyItem[] {
  const obj = ResponseType.toObject(ResponseType.decode(bytes), { defaults: false }) as { items?: ReplyItem[] };
  return (obj.items ?? []).map((i) => ({ ...i, ...(i.value === undefined ? {} : { value: Buffer.from(i.value) }) }));
}

/** A booted kernel with kv, the fake drivers and a real goridge RPC server in front of the kv endpoint. */
export interface KvHarness {
  t: TestKernel;
  world: World;
  client: RpcClient;
  /** Calls kv.<method> with a protobuf Request; resolves to the reply bytes. */
  raw(method: string, body: Uint8Array, codec?: RpcCodec): Promise<Buffer>;
  call(method: string, storage: string, items?: readonly TestItem[]): Promise<ReplyItem[]>;
  /** The wire text of a failing call (`"<code>: <message>"`). */
  fail(method: string, storage: string, items?: readonly TestItem[]): Promise<string>;
  close(): Promise<void>;
}

export async function startKv(config: Record<string, unknown>, world = newWorld(), drivers = ['fake', 'other']): Promise<KvHarness> {
  const probe = endpointsProbe();
  const t = await startTestKernel({ plugins: [...drivers.map((d) => driverPlugin(d, world)), kvPlugin, probe.plugin], config });
  const endpoint = probe.endpoints().find((e) => e.namespace === 'kv');
  if (endpoint === undefined) throw new Error('kv provided no endpoint');
  const server = new RpcServer().register(endpoint);
  const client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
  const raw = async (method: string, body: Uint8Array, codec: RpcCodec = CODEC_PROTO) => Buffer.from(await client.call<Uint8Array>(`kv.${method}`, body, codec));
  const call = async (method: string, storage: string, items?: readonly TestItem[]) => decodeResponse(await raw(method, encodeRequest(storage, items)));
  const fail = async (method: string, storage: string, items?: readonly TestItem[]) => {
    const err = await call(method, storage, items).then(
      () => undefined,
      (e: unknown) => e as RrError,
    );
    if (err === undefined) throw new Error(`kv.${method} succeeded`);
    return String(err.details.text);
  };
  return {
    t,
    world,
    client,
    raw,
    call,
    fail,
    async close() {
      await client.close();
      await server.close();
      await t.stop();
    },
  };
}

/** Starts a kernel that must fail to start; resolves to its error (a kernel that starts is stopped, then the test fails). */
export async function startFailure(options: Parameters<typeof startTestKernel>[0]): Promise<RrError> {
  const outcome = await startTestKernel(options).then(
    async (t) => {
      await t.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(outcome instanceof RrError)) throw new Error(`expected a start failure, got ${String(outcome)}`);
  return outcome;
}

/** A whole-second deadline `seconds` from now in epoch ms, and how PHP writes it. */
export function deadlineIn(seconds: number): { ms: number; rfc3339: string } {
  const ms = (Math.floor(Date.now() / 1000) + seconds) * 1000;
  return { ms, rfc3339: `${new Date(ms).toISOString().slice(0, 19)}+00:00` };
}
