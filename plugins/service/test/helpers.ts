import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resettablesRef, workerSourcesRef, type Resettable, type RpcEndpoint, type WorkerSource } from '@rr/contracts';
import { CODEC_PROTO, RpcClient, RpcServer, type RpcCodec } from '@rr/goridge';
import { definePlugin, RrError, type Plugin } from '@rr/kernel';
import { endpointsProbe, startTestKernel, type LogLine, type TestKernel } from '@rr/testkit';
import protobuf from 'protobufjs';
import { servicePlugin } from '../src/index.js';

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `pid` is a live process (zombies, which nothing can kill any further, count as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Collects what the service plugin gives informer and resetter, as those plugins would. */
function informerProbe(): { plugin: Plugin; workers: () => readonly WorkerSource[]; resettables: () => readonly Resettable[] } {
  let workers: readonly WorkerSource[] = [];
  let resettables: readonly Resettable[] = [];
  return {
    workers: () => workers,
    resettables: () => resettables,
    plugin: definePlugin({
      id: 'informer_probe',
      kernel: '^1.0.0',
      collects: { workers: workerSourcesRef, resettables: resettablesRef },
      init: ({ collected }) => {
        workers = collected.workers;
        resettables = collected.resettables;
        return {};
      },
    }),
  };
}

// The PHP side's messages, from the .proto text itself, independent of the plugin's JSON descriptor.
const SERVICE_PROTO = `
syntax = "proto3";
package service.v1;
message Any { string type_url = 1; bytes value = 2; }
message CommonStatus { int32 code = 1; string message = 2; repeated Any details = 3; }
message Create { string name = 1; string command = 2; int64 process_num = 3; int64 exec_timeout = 4; bool remain_after_exit = 5;
  map<string, string> env = 6; uint64 restart_sec = 7; bool service_name_in_logs = 8; uint64 timeout_stop_sec = 9; }
message Service { string name = 1; }
message Response { string message = 1; bool ok = 2; }
message Status { float cpu_percent = 1; int32 pid = 2; uint64 memory_usage = 3; string command = 4; CommonStatus status = 5; }
message Statuses { repeated Status status = 1; }
message List { repeated string services = 1; }
`;
const pb = protobuf.parse(SERVICE_PROTO, { keepCase: true }).root;
const type = (name: string) => pb.lookupType(`service.v1.${name}`);

export type CreateFields = Partial<{
  name: string;
  command: string;
  process_num: number;
  exec_timeout: number;
  remain_after_exit: boolean;
  env: Record<string, string>;
  restart_sec: number;
  service_name_in_logs: boolean;
  timeout_stop_sec: number;
}>;

export interface WireStatus {
  cpu_percent: number;
  pid: number;
  memory_usage: number;
  command: string;
  status?: { code: number; message: string };
}

export const encode = (name: string, fields: object): Buffer => Buffer.from(type(name).encode(type(name).fromObject(fields)).finish());
export const decode = <T>(name: string, bytes: Uint8Array): T => type(name).toObject(type(name).decode(bytes), { longs: Number, defaults: true }) as T;

/** A booted kernel with the service plugin, informer/resetter probes and a real goridge RPC server in front of it. */
export interface ServiceHarness {
  t: TestKernel;
  workers(): WorkerSource;
  reset(): Promise<void>;
  /** Calls service.<method> with raw bytes; resolves to the reply bytes. */
  raw(method: string, body: Uint8Array, codec?: RpcCodec): Promise<Buffer>;
  create(fields: CreateFields): Promise<{ ok: boolean; message: string }>;
  /** Terminate / Restart. */
  manage(method: 'Terminate' | 'Restart', name: string): Promise<{ ok: boolean; message: string }>;
  status(name: string): Promise<WireStatus>;
  statuses(name: string): Promise<WireStatus[]>;
  list(): Promise<string[]>;
  /** The wire text of a failing call (`"<code>: <message>"`). */
  fail(method: string, body: Uint8Array, codec?: RpcCodec): Promise<string>;
  /** Output lines of the service channel. */
  lines(): LogLine[];
  close(): Promise<void>;
}

export async function startService(config: Record<string, unknown> | undefined, stopTimeoutMs?: number): Promise<ServiceHarness> {
  const probe = endpointsProbe();
  const informer = informerProbe();
  const t = await startTestKernel({
    plugins: [servicePlugin, probe.plugin, informer.plugin],
    config: config === undefined ? {} : { service: config },
    ...(stopTimeoutMs === undefined ? {} : { stopTimeoutMs }),
  });
  const endpoint: RpcEndpoint | undefined = probe.endpoints().find((e) => e.namespace === 'service');
  let server: RpcServer | undefined;
  let client: RpcClient | undefined;
  if (endpoint !== undefined) {
    server = new RpcServer().register(endpoint);
    client = await RpcClient.connect(await server.listen('tcp://127.0.0.1:0'));
  }
  const raw = async (method: string, body: Uint8Array, codec: RpcCodec = CODEC_PROTO) => {
    if (client === undefined) throw new Error('the service plugin provided no endpoint');
    return Buffer.from(await client.call<Uint8Array>(`service.${method}`, body, codec));
  };
  return {
    t,
    workers: () => {
      const source = informer.workers().find((w) => w.name === 'service');
      if (source === undefined) throw new Error('no service worker source');
      return source;
    },
    reset: async () => {
      const r = informer.resettables().find((w) => w.name === 'service');
      if (r === undefined) throw new Error('no service resettable');
      await r.reset();
    },
    raw,
    create: async (fields) => decode('Response', await raw('Create', encode('Create', fields))),
    manage: async (method, name) => decode('Response', await raw(method, encode('Service', { name }))),
    status: async (name) => decode('Status', await raw('Status', encode('Service', { name }))),
    statuses: async (name) => decode<{ status: WireStatus[] }>('Statuses', await raw('Statuses', encode('Service', { name }))).status,
    list: async () => decode<{ services: string[] }>('List', await raw('List', Buffer.alloc(0))).services,
    fail: async (method, body, codec) => {
      const err = await raw(method, body, codec).then(
        () => undefined,
        (e: unknown) => e as RrError,
      );
      if (err === undefined) throw new Error(`service.${method} succeeded`);
      return String(err.details.text);
    },
    lines: () => t.logger.lines.filter((l) => l.channel === 'service'),
    async close() {
      await client?.close();
      await server?.close();
      await t.stop();
    },
  };
}

/** Starts a kernel that must fail to start; resolves to its error. */
export async function startFailure(config: Record<string, unknown>): Promise<RrError> {
  const outcome = await startTestKernel({ plugins: [servicePlugin], config: { service: config } }).then(
    async (t) => {
      await t.stop();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(outcome instanceof RrError)) throw new Error(`expected a start failure, got ${String(outcome)}`);
  return outcome;
}

/** Output lines (info, on the service channel) whose message matches. */
export const outputLines = (h: ServiceHarness, match: RegExp): LogLine[] => h.lines().filter((l) => l.level === 'info' && match.test(l.message));
