import type { JobHeaders, JobMessage } from '@rr/contracts';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/**
 * A job as RoadRunner's nats driver stores it in a stream message (natsjobs `Item`, encoded with Go's
 * encoding/json): `payload` is Go `[]byte`, hence base64; `Queue` has no json tag, hence the capital.
 * RoadRunner carries the job headers as the message's NATS headers, not in the JSON.
 */
interface WireItem {
  job: string;
  id: string;
  payload: string | null;
  /** rr extension, ignored by RoadRunner's decoder: the headers exactly, which NATS headers cannot always carry. */
  headers?: JobHeaders;
  options?: {
    priority?: number;
    pipeline?: string;
    delay?: number;
    auto_ack?: boolean;
    Queue?: string;
  };
}

/** When a delayed job is due (epoch ms), on messages of the delay stream only. */
export const DELAY_UNTIL_HEADER = 'rr-delay-until';
/** RoadRunner adds the message subject to every delivered job's headers; rr does too. */
export const SUBJECT_HEADER = 'x-nats-subject';
/** JetStream's de-duplication id; rr sets it (`rr-delay:<stream>:<seq>`) when it moves a due job. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
export const MOVED_ID_PREFIX = 'rr-delay:';

// What nats.js accepts in a header name (printable ASCII without ':') and value (no CR/LF; it trims).
const validName = /^[\x21-\x39\x3b-\x7e]+$/;
const validValue = (v: string): boolean => !/[\r\n]/.test(v) && v.trim() === v;

/**
 * The NATS headers a job is published with, for RoadRunner consumers of the same stream. A header NATS
 * cannot carry exactly (no values, a non-ASCII name, a value with CR/LF or edge whitespace) is left out
 * here; the JSON keeps it for rr.
 */
export function toNatsHeaders(headers: JobHeaders): MsgHdrs {
  const out = natsHeaders();
  for (const [name, values] of Object.entries(headers)) {
    if (!validName.test(name) || values.length === 0 || !values.every(validValue)) continue;
    for (const value of values) out.append(name, value);
  }
  return out;
}

/** The stream message body of a job: RoadRunner's Item JSON plus rr's exact headers. */
export function encodeJob(message: JobMessage, pipeline: string, stream: string): Uint8Array {
  const item: WireItem = {
    job: message.job,
    id: message.id,
    payload: Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength).toString('base64'),
    headers: message.headers,
    options: { priority: message.priority, pipeline, auto_ack: message.autoAck, Queue: stream },
  };
  return Buffer.from(JSON.stringify(item));
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function headersFromJson(value: unknown): JobHeaders | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: JobHeaders = {};
  for (const [name, values] of Object.entries(value)) {
    if (!isStringArray(values)) return undefined;
    out[name] = [...values];
  }
  return out;
}

function headersFromNats(hdrs: MsgHdrs | undefined): JobHeaders {
  const out: JobHeaders = {};
  if (hdrs === undefined) return out;
  for (const name of hdrs.keys()) {
    if (name === DELAY_UNTIL_HEADER) continue;
    const values = hdrs.values(name);
    if (name === MSG_ID_HEADER && values.every((v) => v.startsWith(MOVED_ID_PREFIX))) continue;
    out[name] = values;
  }
  return out;
}

/**
 * Reads a stream message written by rr or by RoadRunner. A job without a priority (RoadRunner stores 0
 * when the producer gave none) takes the pipeline's. Throws a plain Error naming what is wrong.
 */
export function decodeJob(data: Uint8Array, hdrs: MsgHdrs | undefined, pipelinePriority: number): Omit<JobMessage, 'delayMs'> {
  let item: Partial<WireItem>;
  try {
    item = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<WireItem>;
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof item !== 'object' || item === null) throw new Error('not a JSON object');
  if (typeof item.id !== 'string' || item.id === '') throw new Error('no "id"');
  if (typeof item.job !== 'string') throw new Error('no "job"');
  if (item.payload !== null && item.payload !== undefined && typeof item.payload !== 'string') throw new Error('"payload" is not base64 bytes');
  const options = typeof item.options === 'object' && item.options !== null ? item.options : {};
  const priority = typeof options.priority === 'number' && options.priority !== 0 ? options.priority : pipelinePriority;
  return {
    id: item.id,
    job: item.job,
    payload: new Uint8Array(Buffer.from(item.payload ?? '', 'base64')),
    headers: headersFromJson(item.headers) ?? headersFromNats(hdrs),
    priority,
    autoAck: options.auto_ack === true,
  };
}
