import protobuf from 'protobufjs/light.js';

// service.v1 (proto/service/v1/service.proto of roadrunner-server/api) with common.v1.Status, declared as
// JSON so nothing is parsed or generated at run time. Field names stay snake_case, as on the wire spec.
const root = protobuf.Root.fromJSON({
  nested: {
    google: { nested: { protobuf: { nested: { Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } } } } } },
    common: {
      nested: {
        v1: {
          nested: {
            Status: {
              fields: {
                code: { type: 'int32', id: 1 },
                message: { type: 'string', id: 2 },
                details: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 },
              },
            },
          },
        },
      },
    },
    service: {
      nested: {
        v1: {
          nested: {
            Create: {
              fields: {
                name: { type: 'string', id: 1 },
                command: { type: 'string', id: 2 },
                process_num: { type: 'int64', id: 3 },
                exec_timeout: { type: 'int64', id: 4 },
                remain_after_exit: { type: 'bool', id: 5 },
                // A map field; protobufjs types its JSON form only through IMapField.
                env: { keyType: 'string', type: 'string', id: 6 } as protobuf.IField,
                restart_sec: { type: 'uint64', id: 7 },
                service_name_in_logs: { type: 'bool', id: 8 },
                timeout_stop_sec: { type: 'uint64', id: 9 },
              },
            },
            Service: { fields: { name: { type: 'string', id: 1 } } },
            Response: { fields: { message: { type: 'string', id: 1 }, ok: { type: 'bool', id: 2 } } },
            Status: {
              fields: {
                cpu_percent: { type: 'float', id: 1 },
                pid: { type: 'int32', id: 2 },
                memory_usage: { type: 'uint64', id: 3 },
                command: { type: 'string', id: 4 },
                status: { type: 'common.v1.Status', id: 5 },
              },
            },
            Statuses: { fields: { status: { rule: 'repeated', type: 'Status', id: 1 } } },
            List: { fields: { services: { rule: 'repeated', type: 'string', id: 1 } } },
          },
        },
      },
    },
  },
});

const CreateType = root.lookupType('service.v1.Create');
const ServiceType = root.lookupType('service.v1.Service');
const ResponseType = root.lookupType('service.v1.Response');
const StatusType = root.lookupType('service.v1.Status');
const StatusesType = root.lookupType('service.v1.Statuses');
const ListType = root.lookupType('service.v1.List');

/** A decoded `service.v1.Create`; absent fields are their proto3 zero values. */
export interface CreateMessage {
  name: string;
  command: string;
  process_num: number;
  /** Seconds. */
  exec_timeout: number;
  remain_after_exit: boolean;
  env: Record<string, string>;
  /** Seconds. */
  restart_sec: number;
  service_name_in_logs: boolean;
  /** Seconds. */
  timeout_stop_sec: number;
}

/** One `service.v1.Status`; `status` carries the error when the process could not be inspected. */
export interface StatusMessage {
  cpu_percent: number;
  pid: number;
  memory_usage: number;
  command: string;
  status?: { code: number; message: string } | undefined;
}

const toObjectOptions = { longs: Number, defaults: true, objects: true } as const;

/** @throws Error (protobufjs) when the bytes are not a valid message. */
export function decodeCreate(body: Uint8Array): CreateMessage {
  return CreateType.toObject(CreateType.decode(body), toObjectOptions) as CreateMessage;
}

/** The name in a `service.v1.Service`. @throws Error (protobufjs) when the bytes are not a valid message. */
export function decodeServiceName(body: Uint8Array): string {
  return (ServiceType.toObject(ServiceType.decode(body), toObjectOptions) as { name: string }).name;
}

export function encodeResponse(ok: boolean, message = ''): Buffer {
  return toBuffer(ResponseType.encode(ResponseType.fromObject({ ok, message })).finish());
}

export function encodeStatus(status: StatusMessage): Buffer {
  return toBuffer(StatusType.encode(StatusType.fromObject(status)).finish());
}

export function encodeStatuses(statuses: readonly StatusMessage[]): Buffer {
  return toBuffer(StatusesType.encode(StatusesType.fromObject({ status: statuses })).finish());
}

export function encodeList(services: readonly string[]): Buffer {
  return toBuffer(ListType.encode(ListType.fromObject({ services })).finish());
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
