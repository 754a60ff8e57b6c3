import type { JobHeaders } from '@rr/contracts';
import { BodyReader, RecordWriter, strSize } from './format.js';

/**
 * The records of a jobs file (header magic "\x89RRJB\r\n\x1a"; framing, CRC and replay as in format.ts).
 * Op numbers start at 16 so that a jobs body can never be taken for a kv body, whatever the header says.
 *
 * - 16 push:    u32 count, count × job
 * - 17 ack:     u32 count, count × u64 seq                (the jobs are gone: acked, or nacked without requeue)
 * - 18 requeue: job (the copy), u64 seq (the original)     (copy and removal in one record: atomic)
 * - 19 delay:   u32 count, count × (u64 seq, f64 due)      (nack with requeue and a delay: same job, new due time)
 *
 * job: u64 seq, f64 due (ms since the epoch, 0 = at once), f64 priority, u8 flags (bit 0: auto_ack),
 * u32+UTF-8 id, u32+UTF-8 job name, u32 header count × (u32+UTF-8 name, u32 value count × u32+UTF-8 value),
 * u32 payload length, payload bytes.
 *
 * `seq` is the store's own identity of a queued job, given in push order: producers' ids need not be
 * unique, and a requeued copy keeps the id of its original.
 */
const OP_PUSH = 16;
const OP_ACK = 17;
const OP_REQUEUE = 18;
const OP_DELAY = 19;

const FLAG_AUTO_ACK = 1;

/** A job as the log holds it. */
export interface StoredJobData {
  seq: number;
  /** Not delivered before this wall-clock time (ms since the epoch); 0 = at once. */
  dueAt: number;
  priority: number;
  autoAck: boolean;
  id: string;
  job: string;
  headers: JobHeaders;
  payload: Uint8Array;
}

export type JobsRecord =
  | { op: 'push'; jobs: readonly StoredJobData[] }
  | { op: 'ack'; seqs: readonly number[] }
  | { op: 'requeue'; copy: StoredJobData; replaces: number }
  | { op: 'delay'; items: readonly { seq: number; dueAt: number }[] };

/** Bytes one job takes inside a push record: what compaction writes for it. */
export function jobSize(job: StoredJobData): number {
  let size = 8 + 8 + 8 + 1 + strSize(job.id) + strSize(job.job) + 4 + 4 + job.payload.byteLength;
  for (const [name, values] of Object.entries(job.headers)) {
    size += strSize(name) + 4;
    for (const v of values) size += strSize(v);
  }
  return size;
}

function writeJob(w: RecordWriter, job: StoredJobData): void {
  w.u64(job.seq);
  w.f64(job.dueAt);
  w.f64(job.priority);
  w.u8(job.autoAck ? FLAG_AUTO_ACK : 0);
  w.str(job.id);
  w.str(job.job);
  const headers = Object.entries(job.headers);
  w.u32(headers.length);
  for (const [name, values] of headers) {
    w.str(name);
    w.u32(values.length);
    for (const v of values) w.str(v);
  }
  w.bytes(job.payload);
}

function readJob(r: BodyReader): StoredJobData {
  const seq = r.u64();
  const dueAt = r.f64();
  const priority = r.f64();
  const autoAck = (r.u8() & FLAG_AUTO_ACK) !== 0;
  const id = r.str();
  const job = r.str();
  const headers: JobHeaders = {};
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const name = r.str();
    const n = r.u32();
    const values: string[] = [];
    for (let j = 0; j < n; j++) values.push(r.str());
    headers[name] = values;
  }
  return { seq, dueAt, priority, autoAck, id, job, headers, payload: r.bytes() };
}

/**
 * Encodes one jobs record, length and CRC included.
 *
 * @throws RangeError when the body would exceed 4 GiB (the caller maps it to RR_ERR_BOLTDB_TOO_LARGE).
 */
export function encodeJobsRecord(record: JobsRecord): Buffer {
  let w: RecordWriter;
  switch (record.op) {
    case 'push':
      w = new RecordWriter(1 + 4 + record.jobs.reduce((sum, j) => sum + jobSize(j), 0));
      w.u8(OP_PUSH);
      w.u32(record.jobs.length);
      for (const job of record.jobs) writeJob(w, job);
      break;
    case 'ack':
      w = new RecordWriter(1 + 4 + 8 * record.seqs.length);
      w.u8(OP_ACK);
      w.u32(record.seqs.length);
      for (const seq of record.seqs) w.u64(seq);
      break;
    case 'requeue':
      w = new RecordWriter(1 + jobSize(record.copy) + 8);
      w.u8(OP_REQUEUE);
      writeJob(w, record.copy);
      w.u64(record.replaces);
      break;
    case 'delay':
      w = new RecordWriter(1 + 4 + 16 * record.items.length);
      w.u8(OP_DELAY);
      w.u32(record.items.length);
      for (const item of record.items) {
        w.u64(item.seq);
        w.f64(item.dueAt);
      }
      break;
  }
  return w.seal();
}

/**
 * Decodes a jobs body that passed its CRC. Payloads are views into `body`: copy what must outlive it.
 *
 * @throws Error when a body with a valid CRC does not decode (a bug, or a format this build does not know).
 */
export function decodeJobsBody(body: Buffer): JobsRecord {
  const r = new BodyReader(body);
  let record: JobsRecord;
  const op = r.op;
  switch (op) {
    case OP_PUSH: {
      const count = r.u32();
      const jobs: StoredJobData[] = [];
      for (let i = 0; i < count; i++) jobs.push(readJob(r));
      record = { op: 'push', jobs };
      break;
    }
    case OP_ACK: {
      const count = r.u32();
      const seqs: number[] = [];
      for (let i = 0; i < count; i++) seqs.push(r.u64());
      record = { op: 'ack', seqs };
      break;
    }
    case OP_REQUEUE: {
      const copy = readJob(r);
      record = { op: 'requeue', copy, replaces: r.u64() };
      break;
    }
    case OP_DELAY: {
      const count = r.u32();
      const items: { seq: number; dueAt: number }[] = [];
      for (let i = 0; i < count; i++) items.push({ seq: r.u64(), dueAt: r.f64() });
      record = { op: 'delay', items };
      break;
    }
    default:
      throw new Error(`unknown jobs op ${String(op)}`);
  }
  r.end(record.op);
  return record;
}
