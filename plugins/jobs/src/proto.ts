import protobuf from 'protobufjs/light.js';

// jobs.v1 from roadrunner-server/api (proto/jobs/v1/jobs.proto; PROTOCOL §5.6), declared as JSON so
// nothing is parsed or generated at run time. Field numbers are RoadRunner's.
const descriptor = {
  nested: {
    jobs: {
      nested: {
        v1: {
          nested: {
            PushRequest: { fields: { job: { type: 'Job', id: 1 } } },
            PushBatchRequest: { fields: { jobs: { rule: 'repeated', type: 'Job', id: 1 } } },
            Job: {
              fields: {
                job: { type: 'string', id: 1 },
                id: { type: 'string', id: 2 },
                payload: { type: 'bytes', id: 3 },
                headers: { keyType: 'string', type: 'HeaderValue', id: 4 },
                options: { type: 'Options', id: 5 },
              },
            },
            Options: {
              fields: {
                priority: { type: 'int64', id: 1 },
                pipeline: { type: 'string', id: 2 },
                delay: { type: 'int64', id: 3 },
                auto_ack: { type: 'bool', id: 6 },
                topic: { type: 'string', id: 7 },
                metadata: { type: 'string', id: 8 },
                offset: { type: 'int64', id: 9 },
                partition: { type: 'int32', id: 10 },
              },
            },
            HeaderValue: { fields: { value: { rule: 'repeated', type: 'string', id: 1 } } },
            DeclareRequest: { fields: { pipeline: { keyType: 'string', type: 'string', id: 1 } } },
            Pipelines: { fields: { pipelines: { rule: 'repeated', type: 'string', id: 1 } } },
            Stats: { fields: { stats: { rule: 'repeated', type: 'Stat', id: 1 } } },
            Stat: {
              fields: {
                pipeline: { type: 'string', id: 1 },
                driver: { type: 'string', id: 2 },
                queue: { type: 'string', id: 3 },
                active: { type: 'int64', id: 4 },
                delayed: { type: 'int64', id: 5 },
                reserved: { type: 'int64', id: 6 },
                ready: { type: 'bool', id: 7 },
                priority: { type: 'uint64', id: 8 },
              },
            },
            Empty: { fields: {} },
          },
        },
      },
    },
  },
};
// Map fields (`keyType`) are valid protobufjs JSON, but its IField typing does not list them.
const root = protobuf.Root.fromJSON(descriptor as unknown as protobuf.INamespace);

const type = (name: string): protobuf.Type => root.lookupType(`jobs.v1.${name}`);
const PushRequest = type('PushRequest');
const PushBatchRequest = type('PushBatchRequest');
const DeclareRequest = type('DeclareRequest');
const Pipelines = type('Pipelines');
const Stats = type('Stats');

/** A decoded `jobs.v1.Job`; absent fields are their proto3 zero values. */
export interface WireJob {
  job: string;
  id: string;
  payload: Uint8Array;
  headers: Record<string, string[]>;
  priority: number;
  pipeline: string;
  /** Seconds. */
  delay: number;
  autoAck: boolean;
}

/** One `jobs.v1.Stat` to encode. */
export interface WireStat {
  pipeline: string;
  driver: string;
  queue: string;
  active: number;
  delayed: number;
  reserved: number;
  ready: boolean;
  priority: number;
}

interface DecodedJob {
  job?: string;
  id?: string;
  payload?: Uint8Array;
  headers?: Record<string, { value?: string[] }>;
  options?: { priority?: number; pipeline?: string; delay?: number; auto_ack?: boolean };
}

const toObject = (t: protobuf.Type, body: Uint8Array, defaults = false): Record<string, unknown> =>
  t.toObject(t.decode(body), { longs: Number, arrays: true, objects: true, defaults });

function fromJob(job: DecodedJob | undefined): WireJob {
  const headers: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(job?.headers ?? {})) headers[name] = [...(value.value ?? [])];
  const options = job?.options ?? {};
  return {
    job: job?.job ?? '',
    id: job?.id ?? '',
    // A copy: the body is a view into the RPC frame, which a driver keeping the bytes must not pin.
    payload: new Uint8Array(job?.payload ?? new Uint8Array(0)),
    headers,
    priority: options.priority ?? 0,
    pipeline: options.pipeline ?? '',
    delay: options.delay ?? 0,
    autoAck: options.auto_ack ?? false,
  };
}

/** @throws Error (protobufjs) when the bytes are not a valid message; so do the other decoders. */
export function decodePush(body: Uint8Array): WireJob {
  return fromJob(toObject(PushRequest, body).job as DecodedJob | undefined);
}

export function decodePushBatch(body: Uint8Array): WireJob[] {
  return ((toObject(PushBatchRequest, body).jobs as DecodedJob[] | undefined) ?? []).map(fromJob);
}

export function decodeDeclare(body: Uint8Array): Record<string, string> {
  return { ...((toObject(DeclareRequest, body).pipeline as Record<string, string> | undefined) ?? {}) };
}

export function decodePipelines(body: Uint8Array): string[] {
  return [...((toObject(Pipelines, body).pipelines as string[] | undefined) ?? [])];
}

/** The empty message is zero bytes, as protoc writes it. */
export const EMPTY = Buffer.alloc(0);

export function encodePipelines(pipelines: readonly string[]): Buffer {
  return toBuffer(Pipelines.encode(Pipelines.fromObject({ pipelines })).finish());
}

export function encodeStats(stats: readonly WireStat[]): Buffer {
  return toBuffer(Stats.encode(Stats.fromObject({ stats: stats.map((s) => ({ ...s })) })).finish());
}

/** Test helpers and the `rr jobs` CLI encode requests and decode replies with the same schema. */
export const jobsProto = {
  encodePush: (job: Record<string, unknown>): Buffer => toBuffer(PushRequest.encode(PushRequest.fromObject({ job })).finish()),
  encodePushBatch: (jobs: Record<string, unknown>[]): Buffer => toBuffer(PushBatchRequest.encode(PushBatchRequest.fromObject({ jobs })).finish()),
  encodeDeclare: (pipeline: Record<string, string>): Buffer => toBuffer(DeclareRequest.encode(DeclareRequest.fromObject({ pipeline })).finish()),
  encodePipelines,
  decodePipelines,
  decodeStats: (body: Uint8Array): WireStat[] => ((toObject(Stats, body, true).stats as WireStat[] | undefined) ?? []).map((s) => ({ ...s })),
};

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
