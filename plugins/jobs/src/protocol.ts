import type { DeliveredJob, JobHeaders } from '@rr/contracts';

/** RAW: the delivery frame's codec flag (PROTOCOL §6.1). */
export const CODEC_RAW = 0x04;

/**
 * The delivery context PHP's ReceivedTaskFactory reads (PROTOCOL §6.1). `headers` replaces the job's
 * own (the consume span's trace context added, when tracing).
 */
export function deliveryContext(job: DeliveredJob, driver: string, headers: JobHeaders = job.headers): Buffer {
  return Buffer.from(JSON.stringify({ id: job.id, job: job.job, driver, headers, pipeline: job.pipeline, queue: job.queue }));
}

/** What the worker asked for (PROTOCOL §6.2), as the core acts on it. */
export type WorkerVerdict =
  | { kind: 'ack' }
  /** Type 1 without requeue: acked, the error is only logged. */
  | { kind: 'error'; message: string }
  /** Type 1 with requeue, or type 4: a copy goes back with merged headers after the delay. */
  | { kind: 'requeue'; message: string; delaySeconds: number; headers: JobHeaders }
  /** Type 3. With requeue it counts as a failed attempt. */
  | { kind: 'nack'; message: string; requeue: boolean; delaySeconds: number }
  /** A type this server does not know: acked with a warning, as RoadRunner. */
  | { kind: 'unknown'; type: unknown }
  /** Not protocol JSON: acked to avoid a redelivery loop, as RoadRunner. */
  | { kind: 'malformed'; reason: string };

/**
 * Reads a worker's response body. An empty body is an ack; `data` may be `[]` (PHP's empty array) or
 * an object whose fields may be missing.
 */
export function parseResponse(body: Buffer): WorkerVerdict {
  if (body.length === 0) return { kind: 'ack' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { kind: 'malformed', reason: err instanceof Error ? err.message : String(err) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('type' in parsed)) {
    return { kind: 'malformed', reason: 'expected a JSON object {"type": <int>, "data": …}' };
  }
  const { type, data: rawData } = parsed as { type: unknown; data?: unknown };
  const data = typeof rawData === 'object' && rawData !== null && !Array.isArray(rawData) ? (rawData as Record<string, unknown>) : {};
  const message = typeof data.message === 'string' ? data.message : '';
  const delaySeconds = typeof data.delay_seconds === 'number' && data.delay_seconds > 0 ? data.delay_seconds : 0;
  const requeue = data.requeue === true;
  switch (type) {
    case 0:
    case 2:
      return { kind: 'ack' };
    case 1:
      return requeue ? { kind: 'requeue', message, delaySeconds, headers: headersOf(data.headers) } : { kind: 'error', message };
    case 3:
      return { kind: 'nack', message, requeue, delaySeconds };
    case 4:
      return { kind: 'requeue', message, delaySeconds, headers: headersOf(data.headers) };
    default:
      return { kind: 'unknown', type };
  }
}

/** Headers as PHP sends them: name → list of strings (a single string is accepted too). */
function headersOf(raw: unknown): JobHeaders {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: JobHeaders = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(value)) out[name] = value.map(String);
    else if (value !== null && value !== undefined) out[name] = [String(value)];
  }
  return out;
}
