import { randomUUID } from 'node:crypto';
import type { JobHeaders, JobMessage } from '@rr/contracts';
import type { MessageProperties } from 'amqplib';

/**
 * The AMQP header names RoadRunner's amqp driver packs a job into (api `jobs` constants, used by amqpjobs
 * `pack`/`unpack`): with the same names and value types, rr and RoadRunner can push to and consume from
 * one queue.
 */
export const RR_HEADERS = {
  id: 'rr_id',
  job: 'rr_job',
  headers: 'rr_headers',
  pipeline: 'rr_pipeline',
  delay: 'rr_delay',
  priority: 'rr_priority',
  autoAck: 'rr_auto_ack',
} as const;

/** RoadRunner's job name for a message without `rr_job` (published by something else than RoadRunner). */
export const UNKNOWN_JOB = 'deduced_by_rr';
/** A job header RoadRunner reads as a per-push routing key (and removes from the job's headers). */
export const ROUTING_KEY_HEADER = 'x-routing-key';
/** RoadRunner's content type for job payloads. */
export const CONTENT_TYPE = 'application/octet-stream';

const rrHeaderNames = new Set<string>(Object.values(RR_HEADERS));

/** amqplib's notation for a field-table value of an explicit type. */
const long = (value: number) => ({ '!': 'long', value });

/**
 * The AMQP headers of a job. `rr_headers` is JSON in a byte array (Go's `[]byte`); `rr_priority` must be a
 * signed 64-bit integer, because RoadRunner asserts `int64` when it reads it; `rr_delay` is in whole seconds.
 */
export function packHeaders(message: JobMessage, pipeline: string, headers: JobHeaders, delayMs: number): Record<string, unknown> {
  return {
    [RR_HEADERS.id]: message.id,
    [RR_HEADERS.job]: message.job,
    [RR_HEADERS.pipeline]: pipeline,
    [RR_HEADERS.headers]: Buffer.from(JSON.stringify(headers)),
    [RR_HEADERS.delay]: long(Math.ceil(delayMs / 1000)),
    [RR_HEADERS.priority]: long(message.priority),
    [RR_HEADERS.autoAck]: message.autoAck,
  };
}

/** A job as read back from a delivery. */
export interface UnpackedJob {
  id: string;
  job: string;
  headers: JobHeaders;
  priority: number;
  delayMs: number;
  autoAck: boolean;
}

/** One field-table value as header text, the way RoadRunner's `convHeaders` turns scalars into strings. */
function text(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return [String(value)];
  if (Buffer.isBuffer(value)) return [value.toString('utf8')];
  if (Array.isArray(value)) return value.flatMap(text);
  if (typeof value === 'object' && '!' in value) {
    const typed = value as { '!': string; value: unknown };
    if (typed['!'] === 'decimal') {
      const { places, digits } = typed.value as { places: number; digits: number };
      return [(digits / 10 ** places).toFixed(places)];
    }
    return text(typed.value);
  }
  return [JSON.stringify(value)];
}

function parseJobHeaders(raw: unknown): JobHeaders | undefined {
  const source = Buffer.isBuffer(raw) ? raw.toString('utf8') : typeof raw === 'string' ? raw : undefined;
  if (source === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return undefined;
  }
  // Go marshals a nil map as null.
  if (parsed === null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const out: JobHeaders = {};
  for (const [name, values] of Object.entries(parsed as Record<string, unknown>)) out[name] = text(values);
  return out;
}

/**
 * Reads a job from a delivery as RoadRunner does: the `rr_*` headers give the fields; a message without
 * them (published by another application) gets the message id or a fresh UUID, the job name
 * `deduced_by_rr`, the pipeline's priority, and its AMQP headers as the job's headers.
 */
export function unpackMessage(properties: MessageProperties, fallbackPriority: number): UnpackedJob & { badHeaders: boolean } {
  const table = (properties.headers ?? {}) as Record<string, unknown>;
  const id = table[RR_HEADERS.id];
  const job = table[RR_HEADERS.job];
  const priority = table[RR_HEADERS.priority];
  const delay = table[RR_HEADERS.delay];
  const packed = table[RR_HEADERS.headers];
  let headers = packed === undefined ? undefined : parseJobHeaders(packed);
  const badHeaders = packed !== undefined && headers === undefined;
  if (headers === undefined) {
    headers = {};
    for (const [name, value] of Object.entries(table)) if (!rrHeaderNames.has(name)) headers[name] = text(value);
  }
  const messageId: unknown = properties.messageId;
  return {
    id: typeof id === 'string' && id !== '' ? id : typeof messageId === 'string' && messageId !== '' ? messageId : randomUUID(),
    job: typeof job === 'string' ? job : UNKNOWN_JOB,
    headers,
    priority: typeof priority === 'number' && Number.isInteger(priority) && priority > 0 ? priority : fallbackPriority,
    delayMs: typeof delay === 'number' && delay > 0 ? delay * 1000 : 0,
    autoAck: table[RR_HEADERS.autoAck] === true,
    badHeaders,
  };
}

/**
 * RoadRunner's per-push routing key: a job header `x-routing-key` with exactly one non-empty value
 * replaces the pipeline's routing_key and is not stored with the job.
 */
export function takeRoutingKey(headers: JobHeaders): { headers: JobHeaders; routingKey: string | undefined } {
  const value = headers[ROUTING_KEY_HEADER];
  if (value === undefined) return { headers, routingKey: undefined };
  const rest = { ...headers };
  delete rest[ROUTING_KEY_HEADER];
  return { headers: rest, routingKey: value.length === 1 && value[0] !== '' ? value[0] : undefined };
}

/** `amqp://user:secret@host/` → `amqp://user:***@host/`, for messages and logs. */
export function redactAddr(addr: string): string {
  return addr.replace(/^(amqps?:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}
