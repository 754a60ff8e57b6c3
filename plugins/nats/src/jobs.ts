import type {
  DeliveredJob,
  JobDeliver,
  JobMessage,
  JobNackOptions,
  JobRequeueOptions,
  JobsDriver,
  JobsDriverStat,
  JobsOpenContext,
  JobsPipeline,
  Logger,
} from '@rr/contracts';
import { isRrError } from '@rr/errors';
import { AckPolicy, DeliverPolicy, RetentionPolicy, type Consumer, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { createHash } from 'node:crypto';
import { natsJobsConfigSchema, type NatsConfig, type NatsJobsConfig } from './config.js';
import { Connection, describeError, isConnectivityError, isNotFound, withAbort } from './connection.js';
import { natsErrors } from './errors.js';
import { decodeJob, DELAY_UNTIL_HEADER, encodeJob, MOVED_ID_PREFIX, SUBJECT_HEADER, toNatsHeaders } from './wire.js';

/** Root of the delay streams' subjects: `rr-delayed.<stream>.<subject>`. */
const DELAY_ROOT = 'rr-delayed';
/** Delayed jobs one handle takes from the delay consumer at a time (each is parked with a nak until due). */
const DELAY_BATCH = 256;
/** Least time between two attempts to recreate a stream or consumer that vanished from the server. */
const REENSURE_EVERY_MS = 5000;

/** Where a pipeline's jobs live on the server. */
export interface NatsNames {
  stream: string;
  subject: string;
  /** The companion stream holding delayed jobs until they are due (work-queue retention). */
  delayStream: string;
  delaySubject: string;
  /** The pipeline's durable consumer on `stream`, shared by every rr that opens the pipeline. */
  consumer: string;
  /** The durable consumer moving due jobs from `delaySubject` to `subject`. */
  delayConsumer: string;
}

/** A consumer name is one token without `.`, `*`, `>` or whitespace; anything else is replaced and hashed so names stay distinct. */
function durableName(text: string): string {
  if (/^[A-Za-z0-9_-]{1,64}$/.test(text)) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${text.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 48)}-${hash}`;
}

/** The server-side names of pipeline `pipeline` with options `config`. */
export function natsNames(pipeline: string, config: Pick<NatsJobsConfig, 'stream' | 'subject'>): NatsNames {
  return {
    stream: config.stream,
    subject: config.subject,
    delayStream: `${config.stream}-rr-delayed`,
    delaySubject: `${DELAY_ROOT}.${config.stream}.${config.subject}`,
    consumer: durableName(pipeline),
    delayConsumer: `rr-delayed-${durableName(config.subject)}`,
  };
}

/** Whether stream subject `pattern` (with `*` and `>` wildcards) captures `subject`. */
function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const nanos = (ms: number): number => Math.round(ms * 1e6);
const text = new TextEncoder();

/** A stream message rr took from the pipeline's consumer and has not settled yet. */
interface Held {
  seq: number;
  /** The latest delivery of the message (a redelivery replaces it). */
  msg: JsMsg;
  /** The job as stored (headers without the delivery-only `x-nats-subject`). */
  job: Omit<JobMessage, 'delayMs'>;
  subject: string;
  /** Acked on delivery (auto_ack): nothing left to settle on the server. */
  acked: boolean;
  settled: boolean;
  /** Settled with a nak: a redelivery may overtake the server's answer to it. */
  nakked: boolean;
}

class NatsPipeline implements JobsPipeline {
  readonly queue: string;
  readonly #names: NatsNames;
  readonly #pipeline: string;
  readonly #options: NatsJobsConfig;
  readonly #root: NatsConfig;
  readonly #priority: number;
  readonly #prefetch: number;
  readonly #deliver: JobDeliver;
  readonly #log: Logger;
  readonly #conn: Connection;
  #main!: Consumer;
  #delay!: Consumer;
  #mainMessages: ConsumerMessages | undefined;
  #delayMessages: ConsumerMessages | undefined;
  /** Every message taken and not settled, by stream sequence: waiting for the core and delivered. */
  readonly #held = new Map<number, Held>();
  /** Taken, not yet handed to the core (its back-pressure holds them). */
  readonly #waiting: Held[] = [];
  readonly #settling = new Set<Promise<void>>();
  readonly #moves = new Set<Promise<void>>();
  #inFlight = 0;
  #consuming = false;
  #closed = false;
  #pumping = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #lastEnsure = 0;
  #halted: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;
  #destroyed: Promise<void> | undefined;

  private constructor(root: NatsConfig, ctx: JobsOpenContext<NatsJobsConfig>, conn: Connection) {
    this.#root = root;
    this.#options = ctx.config;
    this.#names = natsNames(ctx.pipeline, ctx.config);
    this.#pipeline = ctx.pipeline;
    this.queue = ctx.config.stream;
    this.#priority = ctx.priority;
    this.#prefetch = Math.max(1, ctx.prefetch);
    this.#deliver = ctx.deliver;
    this.#log = ctx.logger;
    this.#conn = conn;
  }

  static async open(root: NatsConfig, ctx: JobsOpenContext<NatsJobsConfig>): Promise<NatsPipeline> {
    const conn = await Connection.open(root.addr, ctx.pipeline, root.timeout, ctx.logger);
    const pipeline = new NatsPipeline(root, ctx, conn);
    try {
      await pipeline.#ensure();
      await pipeline.#startDelayMover();
    } catch (err) {
      await conn.close();
      throw err;
    }
    ctx.logger.debug('nats pipeline opened', { ...pipeline.#names, prefetch: pipeline.#prefetch });
    return pipeline;
  }

  push(messages: readonly JobMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(natsErrors.PIPELINE_STOPPED(this.#pipeline));
    return this.#publish(messages);
  }

  async resume(): Promise<void> {
    if (this.#closed || this.#consuming) return;
    this.#consuming = true;
    try {
      // A callback rather than an iterator: every message the client receives lands in #held, none sits
      // unseen in a library buffer when the pipeline pauses.
      this.#mainMessages = await this.#main.consume({ max_messages: this.#prefetch, callback: (m) => this.#onMessage(m) });
    } catch (err) {
      this.#consuming = false;
      throw isConnectivityError(err) ? this.#conn.unavailable(err) : natsErrors.CONSUMER_FAILED(this.#names.consumer, this.#names.stream, describeError(err), { cause: err });
    }
    void this.#watchConsumer(this.#mainMessages, this.#names.stream, this.#names.consumer);
    this.#log.debug('nats pipeline consuming', { consumer: this.#names.consumer });
    void this.#pump();
  }

  async pause(): Promise<void> {
    if (!this.#consuming) return;
    this.#consuming = false;
    const messages = this.#mainMessages;
    this.#mainMessages = undefined;
    await this.#closeMessages([messages]);
    await this.#giveBack(this.#waiting.splice(0));
  }

  async stat(): Promise<JobsDriverStat> {
    if (this.#closed) throw natsErrors.PIPELINE_STOPPED(this.#pipeline);
    const { delayStream, delaySubject } = this.#names;
    try {
      const [info, delays] = await this.#conn.guard(() =>
        Promise.all([this.#main.info(false), this.#conn.jsm.streams.info(delayStream, { subjects_filter: delaySubject })]),
      );
      return { queue: this.queue, active: info.num_pending, delayed: delays.state.subjects?.[delaySubject] ?? 0, reserved: info.num_ack_pending };
    } catch (err) {
      if (isRrError(err)) throw err;
      throw natsErrors.STREAM_FAILED(this.#names.stream, describeError(err), { cause: err });
    }
  }

  stop(signal: AbortSignal): Promise<void> {
    return (this.#stopped ??= this.#halt(signal).then(() => this.#conn.close(signal)));
  }

  destroy(signal: AbortSignal): Promise<void> {
    return (this.#destroyed ??= this.#destroy(signal));
  }

  async #destroy(signal: AbortSignal): Promise<void> {
    const wasStopped = this.#stopped !== undefined;
    await this.#halt(signal);
    if (this.#options.delete_stream_on_stop) {
      if (!wasStopped) await this.#deleteStreams(this.#conn);
      else {
        // Stopped earlier: its connection is gone, so a short-lived one does the deleting.
        const conn = await Connection.open(this.#root.addr, this.#pipeline, this.#root.timeout, this.#log);
        try {
          await this.#deleteStreams(conn);
        } finally {
          await conn.close(signal);
        }
      }
    }
    await this.stop(signal);
  }

  async #deleteStreams(conn: Connection): Promise<void> {
    for (const stream of [this.#names.stream, this.#names.delayStream]) {
      try {
        await conn.guard(() => conn.jsm.streams.delete(stream));
        this.#log.debug('nats stream deleted', { stream });
      } catch (err) {
        if (isNotFound(err)) continue;
        throw isRrError(err) ? err : natsErrors.STREAM_FAILED(stream, describeError(err), { cause: err });
      }
    }
  }

  /** Stops taking jobs and gives every unsettled one back; the connection stays for destroy. */
  #halt(signal: AbortSignal): Promise<void> {
    return (this.#halted ??= (async () => {
      this.#closed = true;
      this.#consuming = false;
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
      const open = [this.#mainMessages, this.#delayMessages];
      this.#mainMessages = undefined;
      this.#delayMessages = undefined;
      await this.#closeMessages(open, signal);
      // Settles and moves under way decide the fate of their own jobs; let them land first.
      await withAbort(Promise.allSettled([...this.#settling, ...this.#moves]), this.#conn.timeoutMs, signal).catch(() => undefined);
      const back = [...this.#held.values()].filter((h) => !h.settled);
      this.#held.clear();
      this.#waiting.length = 0;
      await this.#giveBack(back, signal);
      this.#log.debug('nats pipeline stopped', { returned: back.filter((h) => !h.acked).length });
    })());
  }

  async #closeMessages(open: (ConsumerMessages | undefined)[], signal?: AbortSignal): Promise<void> {
    // Closing unsubscribes the pull inbox, so the server drops the pending pull and keeps new jobs for others.
    await Promise.allSettled(open.map((m) => (m === undefined ? undefined : withAbort(m.close(), this.#conn.timeoutMs, signal))));
  }

  /**
   * Puts taken jobs back for redelivery (here or to another rr): a stored copy, then an ack of the original.
   * Not a nak: nats-server 2.9 drops a redelivery that it tries to hand to a pull request of a consumer that
   * just closed (it comes back only after ack_wait), and a pipeline that pauses or stops has just closed one.
   */
  async #giveBack(held: Held[], signal?: AbortSignal): Promise<void> {
    const back = held.filter((h) => !h.acked);
    for (const h of held) if (this.#held.get(h.seq) === h) this.#held.delete(h.seq);
    if (back.length === 0) return;
    const returned = Promise.allSettled(back.map((h) => this.#putBack(h, 0)));
    await withAbort(returned, this.#conn.timeoutMs, signal).catch(() => undefined);
  }

  /** A copy of the job as stored (after `delayMs`), then the original acked; a failed copy naks the original. */
  async #putBack(entry: Held, delayMs: number, headers = entry.job.headers): Promise<void> {
    try {
      await this.#publish([{ ...entry.job, headers, delayMs }]);
    } catch (err) {
      // The copy was not stored: the original goes back instead (a nak is buffered through an outage), so the job is not lost.
      if (!entry.acked) entry.msg.nak(delayMs);
      throw err;
    }
    if (!entry.acked) await this.#ackMsg(entry);
  }

  async #ensure(): Promise<void> {
    const { jsm } = this.#conn;
    const { stream, subject, delayStream, delaySubject, consumer, delayConsumer } = this.#names;
    const info = async <T>(what: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await this.#conn.guard(what);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    const failed = (err: unknown, wrap: (cause: string) => Error): Error => (isRrError(err) ? err : wrap(describeError(err)));

    try {
      const main = await info(() => jsm.streams.info(stream));
      if (main === undefined) await this.#conn.guard(() => jsm.streams.add({ name: stream, subjects: [subject] }));
      else if (!(main.config.subjects ?? []).some((p) => subjectMatches(p, subject))) {
        // Several pipelines may share a stream with a subject each; RoadRunner would replace the list instead.
        await this.#conn.guard(() => jsm.streams.update(stream, { subjects: [...(main.config.subjects ?? []), subject] }));
      }
    } catch (err) {
      throw failed(err, (cause) => natsErrors.STREAM_FAILED(stream, cause, { cause: err }));
    }
    try {
      const delayed = await info(() => jsm.streams.info(delayStream));
      if (delayed === undefined) {
        await this.#conn.guard(() => jsm.streams.add({ name: delayStream, subjects: [`${DELAY_ROOT}.${stream}.>`], retention: RetentionPolicy.Workqueue }));
      }
    } catch (err) {
      throw failed(err, (cause) => natsErrors.STREAM_FAILED(delayStream, cause, { cause: err }));
    }

    const ackWait = nanos(this.#options.ack_wait);
    try {
      const existing = await info(() => jsm.consumers.info(stream, consumer));
      // The deliver policy of an existing consumer cannot change; deliver_new only shapes a new one.
      const deliver = existing?.config.deliver_policy ?? (this.#options.deliver_new ? DeliverPolicy.New : DeliverPolicy.All);
      await this.#conn.guard(() =>
        jsm.consumers.add(stream, {
          durable_name: consumer,
          filter_subject: subject,
          ack_policy: AckPolicy.Explicit,
          ack_wait: ackWait,
          max_ack_pending: this.#prefetch,
          max_deliver: -1,
          deliver_policy: deliver,
        }),
      );
      this.#main = await this.#conn.guard(() => this.#conn.js.consumers.get(stream, consumer));
    } catch (err) {
      throw failed(err, (cause) => natsErrors.CONSUMER_FAILED(consumer, stream, cause, { cause: err }));
    }
    try {
      await this.#conn.guard(() =>
        jsm.consumers.add(delayStream, {
          durable_name: delayConsumer,
          filter_subject: delaySubject,
          ack_policy: AckPolicy.Explicit,
          ack_wait: ackWait,
          // Every parked delayed job is pending ack; a limit would hold back due jobs behind later ones.
          max_ack_pending: -1,
          max_deliver: -1,
          deliver_policy: DeliverPolicy.All,
        }),
      );
      this.#delay = await this.#conn.guard(() => this.#conn.js.consumers.get(delayStream, delayConsumer));
    } catch (err) {
      throw failed(err, (cause) => natsErrors.CONSUMER_FAILED(delayConsumer, delayStream, cause, { cause: err }));
    }
  }

  /** Recreates a stream or consumer that vanished (a server restarted without its JetStream store, a manual delete). */
  async #reensure(): Promise<void> {
    if (Date.now() - this.#lastEnsure < REENSURE_EVERY_MS || this.#closed) return;
    this.#lastEnsure = Date.now();
    try {
      await this.#ensure();
      this.#log.info('nats stream and consumers recreated', { stream: this.#names.stream, consumer: this.#names.consumer });
    } catch (err) {
      this.#log.warn('nats stream or consumer is missing and could not be recreated', { error: describeError(err) });
    }
  }

  async #watchConsumer(messages: ConsumerMessages, stream: string, consumer: string): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'consumer_not_found' || status.type === 'stream_not_found' || status.type === 'consumer_deleted') {
        this.#log.warn('nats consumer is gone', { stream, consumer, status: status.type });
        void this.#reensure();
      }
    }
  }

  async #publish(messages: readonly JobMessage[]): Promise<void> {
    const { subject, delaySubject } = this.#names;
    await Promise.all(
      messages.map(async (message) => {
        const data = encodeJob(message, this.#pipeline, this.#names.stream);
        const headers = toNatsHeaders(message.headers);
        let to = subject;
        if (message.delayMs > 0) {
          headers.set(DELAY_UNTIL_HEADER, String(Date.now() + Math.ceil(message.delayMs)));
          to = delaySubject;
        }
        try {
          await this.#conn.guard(() => this.#conn.js.publish(to, data, { headers, timeout: this.#conn.timeoutMs }));
        } catch (err) {
          throw isRrError(err) ? err : natsErrors.PUBLISH_FAILED(to, describeError(err), { cause: err });
        }
      }),
    );
  }

  #onMessage(m: JsMsg): void {
    if (this.#closed) {
      m.nak();
      return;
    }
    const held = this.#held.get(m.seq);
    if (held !== undefined && !(held.settled && held.nakked)) {
      // A redelivery of a job rr still holds (ack_wait passed during an outage): settle through the newest delivery.
      if (!held.settled) held.msg = m;
      return;
    }
    let job: Held['job'];
    try {
      job = decodeJob(m.data, m.headers, this.#priority);
    } catch (err) {
      const error = natsErrors.BAD_MESSAGE(this.#pipeline, m.seq, describeError(err));
      this.#log.error('nats message terminated: not a job', { code: error.code, error: error.message, stream: this.#names.stream, seq: m.seq });
      m.term();
      return;
    }
    // Taken while pausing: it waits in #waiting, and pause (or the next resume) deals with it.
    const entry: Held = { seq: m.seq, msg: m, job, subject: m.subject, acked: false, settled: false, nakked: false };
    this.#held.set(m.seq, entry);
    this.#waiting.push(entry);
    this.#armKeepAlive();
    void this.#pump();
  }

  /** Hands waiting jobs to the core one at a time, at most `prefetch` unsettled (auto-acked ones count too). */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#consuming && !this.#closed && this.#inFlight < this.#prefetch) {
        const entry = this.#waiting.shift();
        if (entry === undefined) break;
        if (entry.job.autoAck) {
          try {
            await this.#ackMsg(entry);
          } catch (err) {
            // Not acked: JetStream redelivers it after ack_wait, so it is not lost.
            this.#held.delete(entry.seq);
            this.#log.error('nats auto_ack failed', { id: entry.job.id, error: describeError(err) });
            continue;
          }
        }
        this.#inFlight++;
        try {
          await this.#deliver(this.#delivered(entry));
        } catch (err) {
          this.#log.error('nats delivery to the jobs core failed, job given back', { id: entry.job.id, error: describeError(err) });
          void this.#settle(entry, () => this.#nack(entry, { requeue: true })).catch(() => undefined);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #delivered(entry: Held): DeliveredJob {
    return {
      ...entry.job,
      // RoadRunner adds the subject to every delivered job; rr does too, without storing it in copies.
      headers: { ...entry.job.headers, [SUBJECT_HEADER]: [entry.subject] },
      delayMs: 0,
      pipeline: this.#pipeline,
      queue: this.queue,
      ack: () => this.#settle(entry, () => this.#ack(entry)),
      nack: (options?: JobNackOptions) => this.#settle(entry, () => this.#nack(entry, options)),
      requeue: (options?: JobRequeueOptions) => this.#settle(entry, () => this.#requeue(entry, options)),
    };
  }

  /** First settle wins; after stop the job is back on the server, so a late settle must not touch it. */
  #settle(entry: Held, apply: () => Promise<void>): Promise<void> {
    if (entry.settled || this.#closed || this.#held.get(entry.seq) !== entry) return Promise.resolve();
    entry.settled = true;
    const done: Promise<void> = apply().finally(() => {
      if (this.#held.get(entry.seq) === entry) this.#held.delete(entry.seq);
      this.#inFlight--;
      this.#settling.delete(done);
      if (this.#consuming) void this.#pump();
    });
    this.#settling.add(done);
    done.catch(() => undefined);
    return done;
  }

  async #ack(entry: Held): Promise<void> {
    if (!entry.acked) await this.#ackMsg(entry);
  }

  async #nack(entry: Held, options: JobNackOptions | undefined): Promise<void> {
    if (options?.requeue === true) {
      const delay = options.delayMs ?? 0;
      // Auto-acked, the server no longer has it; paused, no pull of ours is open (see #giveBack): a copy it is.
      if (entry.acked || !this.#consuming) return this.#putBack(entry, delay);
      entry.nakked = true;
      await this.#ackRequest(entry, delay > 0 ? `-NAK ${JSON.stringify({ delay: nanos(delay) })}` : '-NAK');
      return;
    }
    if (entry.acked) return;
    await this.#ackRequest(entry, '+TERM');
    if (this.#options.delete_after_ack) await this.#deleteMessage(entry.seq);
  }

  #requeue(entry: Held, options: JobRequeueOptions | undefined): Promise<void> {
    return this.#putBack(entry, options?.delayMs ?? 0, { ...entry.job.headers, ...options?.headers });
  }

  async #ackMsg(entry: Held): Promise<void> {
    try {
      await entry.msg.ackAck({ timeout: this.#conn.timeoutMs });
    } catch (err) {
      throw this.#conn.unavailable(err);
    }
    entry.acked = true;
    if (this.#options.delete_after_ack) await this.#deleteMessage(entry.seq);
  }

  /**
   * Sends an ack-protocol message (`-NAK`, `+TERM`) as a request: the server answers once it processed it,
   * which `JsMsg.nak()`/`term()` never wait for.
   */
  async #ackRequest(entry: Held, payload: string): Promise<void> {
    const reply = (entry.msg as unknown as { reply: string }).reply;
    try {
      await this.#conn.nc.request(reply, text.encode(payload), { timeout: this.#conn.timeoutMs });
    } catch (err) {
      throw this.#conn.unavailable(err);
    }
  }

  /** delete_after_ack: the job is settled already, so a failed delete only leaves it in the stream's history. */
  async #deleteMessage(seq: number): Promise<void> {
    try {
      await this.#conn.jsm.streams.deleteMessage(this.#names.stream, seq, false);
    } catch (err) {
      if (!isNotFound(err)) this.#log.warn('nats delete_after_ack: the message stays in the stream', { seq, error: describeError(err) });
    }
  }

  /** Progress acks keep JetStream from redelivering jobs rr holds (waiting for the core or running) past ack_wait. */
  #armKeepAlive(): void {
    if (this.#keepAlive !== undefined || this.#closed) return;
    const every = Math.max(200, Math.floor(this.#options.ack_wait / 2));
    this.#keepAlive = setInterval(() => {
      if (this.#held.size === 0) {
        clearInterval(this.#keepAlive);
        this.#keepAlive = undefined;
        return;
      }
      for (const entry of this.#held.values()) if (!entry.settled && !entry.acked) entry.msg.working();
    }, every);
    this.#keepAlive.unref();
  }

  /**
   * Runs from open to stop, paused or not: moving a due job is not delivering it, and a consumer that stays
   * open leaves no dead pull request behind for nats-server 2.9 to trip over (see #giveBack).
   */
  async #startDelayMover(): Promise<void> {
    try {
      this.#delayMessages = await this.#delay.consume({ max_messages: DELAY_BATCH, callback: (m) => this.#onDelayed(m) });
    } catch (err) {
      throw isConnectivityError(err) ? this.#conn.unavailable(err) : natsErrors.CONSUMER_FAILED(this.#names.delayConsumer, this.#names.delayStream, describeError(err), { cause: err });
    }
    void this.#watchConsumer(this.#delayMessages, this.#names.delayStream, this.#names.delayConsumer);
  }

  /** A delayed job came round: park it again with a nak until due, or move it to the pipeline's subject. */
  #onDelayed(m: JsMsg): void {
    const until = Number(m.headers?.get(DELAY_UNTIL_HEADER));
    const remaining = Number.isFinite(until) ? until - Date.now() : 0;
    if (remaining > 0 || this.#closed) {
      m.nak(Math.max(0, remaining));
      return;
    }
    const move: Promise<void> = this.#move(m)
      .catch((err: unknown) => {
        this.#log.warn('nats delayed job not moved yet, retrying', { seq: m.seq, error: describeError(err) });
        m.nak(1000);
      })
      .finally(() => this.#moves.delete(move));
    this.#moves.add(move);
  }

  async #move(m: JsMsg): Promise<void> {
    const headers = natsHeaders();
    for (const name of m.headers?.keys() ?? []) {
      if (name === DELAY_UNTIL_HEADER) continue;
      for (const value of m.headers?.values(name) ?? []) headers.append(name, value);
    }
    // The id makes JetStream drop a second copy if rr dies between this publish and the ack below.
    const msgID = `${MOVED_ID_PREFIX}${this.#names.delayStream}:${m.seq}`;
    await this.#conn.guard(() => this.#conn.js.publish(this.#names.subject, m.data, { headers, msgID, timeout: this.#conn.timeoutMs }));
    // Work-queue retention: the ack removes the delayed copy.
    await m.ackAck({ timeout: this.#conn.timeoutMs });
  }
}

/**
 * Creates the nats jobs driver (RoadRunner's `driver: nats`): each pipeline is a subject of a JetStream
 * stream, consumed through a durable pull consumer named after the pipeline. `root` is the plugin's `nats`
 * section (the server address); a pipeline connects when it opens.
 */
export function createNatsJobsDriver(root: NatsConfig): JobsDriver<NatsJobsConfig> {
  return {
    name: 'nats',
    configSchema: natsJobsConfigSchema,
    // RoadRunner's nats default.
    defaultPrefetch: 10,
    open: (ctx) => NatsPipeline.open(root, ctx),
  };
}
