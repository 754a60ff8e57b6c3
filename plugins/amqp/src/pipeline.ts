import { randomUUID } from 'node:crypto';
import type {
  DeliveredJob,
  JobDeliver,
  JobHeaders,
  JobMessage,
  JobNackOptions,
  JobRequeueOptions,
  JobsDriverStat,
  JobsOpenContext,
  JobsPipeline,
  Logger,
} from '@rr/contracts';
import { isRrError, type RrError } from '@rr/errors';
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import type { AmqpPipelineConfig } from './config.js';
import { amqpErrors } from './errors.js';
import { CONTENT_TYPE, packHeaders, redactAddr, takeRoutingKey, unpackMessage } from './wire.js';

/** How the driver reaches the broker: the root `amqp` section, resolved (TLS files read). */
export interface AmqpEndpoint {
  addr: string;
  socket: { key?: Buffer; cert?: Buffer; ca?: Buffer };
}

/** Timings; tests shorten them. */
export interface AmqpTimings {
  /** One connection attempt, TCP + TLS + AMQP handshake. */
  connectMs: number;
  /** A broker round trip (declare, check, publisher confirm) before the link is given up as dead. */
  operationMs: number;
  /** First pause between reconnection attempts, doubled per failure up to `maxBackoffMs`. */
  firstBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_TIMINGS: AmqpTimings = { connectMs: 10_000, operationMs: 30_000, firstBackoffMs: 100, maxBackoffMs: 5_000 };

/** One connection with its channels. A lost link is never reused: reconnection builds a new one. */
interface Link {
  conn: ChannelModel;
  /** Publisher confirms on; pushes and requeue copies. */
  pub: ConfirmChannel;
  /** The consumer's channel; kept across pause/resume so jobs in flight can still be acked on it. */
  consumer: Channel | undefined;
  consumerTag: string | undefined;
  /** Passive checks and delay-queue declarations: a channel error (404, 406) closes only this one. */
  aux: Promise<Channel> | undefined;
  /** Message ids the broker returned as unroutable, until their confirm arrives. */
  returned: Map<string, number>;
  /** Why the broker blocks publishing (connection.blocked: a memory or disk alarm), while it does. */
  blocked: string | undefined;
  dead: boolean;
}

/** A message the broker delivered on a link's consumer channel. */
interface Entry {
  msg: ConsumeMessage;
  link: Link;
  ch: Channel;
  /** Settled (or given up with its channel): later settles are no-ops. */
  done: boolean;
}

interface Publication {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish & { messageId: string };
}

type State = 'up' | 'reconnecting' | 'failed' | 'closed';

/** amqplib's 64 KiB field-table buffer, less room for the other rr_* fields. */
const MAX_HEADERS_BYTES = 65_536 - 512;

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    // Never what keeps the process alive: a stopping rr must not wait out a back-off.
    const timer = setTimeout(done, ms).unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Rejects with `onTimeout()` when `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The socket under an amqplib connection, to cut a link that does not close politely. */
function destroySocket(conn: ChannelModel): void {
  (conn as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/**
 * One pipeline on RabbitMQ: a connection of its own with a confirm channel for publishing and a consumer
 * channel with basic.qos(prefetch). See the README for the wire format, the delay queues and reconnection.
 */
export class AmqpPipeline implements JobsPipeline {
  readonly queue: string;
  readonly #pipeline: string;
  readonly #config: AmqpPipelineConfig;
  readonly #endpoint: AmqpEndpoint;
  readonly #timings: AmqpTimings;
  readonly #log: Logger;
  readonly #deliver: JobDeliver;
  readonly #priority: number;
  readonly #prefetch: number;
  readonly #consumerTag: string;
  readonly #addr: string;
  /** Ends reconnection back-off sleeps when the pipeline stops. */
  readonly #abort = new AbortController();

  #state: State = 'reconnecting';
  #link: Link | undefined;
  #lastError = '';
  #consuming = false;
  #pumping = false;
  /** Delivered by the broker, not yet handed to the core (the core takes one at a time). */
  #buffer: Entry[] = [];
  /** Handed to the core and not settled: `reserved`. */
  readonly #inFlight = new Set<Entry>();
  /** Delay queues this handle published to (name → when they expire unless declared again), for `stat` and `destroy`. */
  readonly #delayQueues = new Map<string, number>();
  /** Lifecycle steps (connect, resume, pause, stop) run one at a time. */
  #chain: Promise<unknown> = Promise.resolve();
  #stopped: Promise<void> | undefined;
  #removed = false;

  private constructor(ctx: JobsOpenContext<AmqpPipelineConfig>, endpoint: AmqpEndpoint, timings: AmqpTimings) {
    this.#pipeline = ctx.pipeline;
    this.#config = ctx.config;
    this.queue = ctx.config.queue;
    this.#endpoint = endpoint;
    this.#timings = timings;
    this.#log = ctx.logger;
    this.#deliver = ctx.deliver;
    this.#priority = ctx.priority;
    // basic.qos takes a 16-bit count, and 0 would mean unlimited.
    this.#prefetch = Math.min(Math.max(1, ctx.prefetch), 65_535);
    this.#consumerTag = ctx.config.consumer_id !== '' ? ctx.config.consumer_id : `roadrunner-${randomUUID()}`;
    this.#addr = redactAddr(endpoint.addr);
  }

  /** Connects and declares the exchange, queue and binding; the pipeline starts paused. */
  static async open(ctx: JobsOpenContext<AmqpPipelineConfig>, endpoint: AmqpEndpoint, timings: AmqpTimings = DEFAULT_TIMINGS): Promise<AmqpPipeline> {
    const pipeline = new AmqpPipeline(ctx, endpoint, timings);
    await pipeline.#serial(() => pipeline.#connect());
    return pipeline;
  }

  // ── JobsPipeline ───────────────────────────────────────────────────────────────────────────────────

  async push(messages: readonly JobMessage[]): Promise<void> {
    const link = this.#usableLink();
    const publications: Publication[] = [];
    const declared = new Set<string>();
    for (const message of messages) {
      const { headers, routingKey } = takeRoutingKey(message.headers);
      const key = routingKey ?? this.#routingKey();
      const delayMs = Math.ceil(message.delayMs);
      if (delayMs <= 0) {
        publications.push(this.#publication(message, headers, 0, this.#config.exchange, key));
        continue;
      }
      // RoadRunner's name, so both share the queue; a per-push routing key needs a queue of its own.
      const base = `delayed-${delayMs}.${this.#config.exchange}.${this.queue !== '' ? this.queue : this.#routingKey()}`;
      const name = key === this.#routingKey() ? base : `${base}.${key}`;
      if (!declared.has(name)) await this.#declareDelayQueue(link, name, delayMs, this.#config.exchange, key);
      declared.add(name);
      publications.push(this.#publication(message, headers, delayMs, '', name));
    }
    await this.#publish(link, publications);
  }

  async resume(): Promise<void> {
    if (this.#state === 'closed' || this.#consuming) return;
    if (this.queue === '') throw amqpErrors.NO_QUEUE(this.#pipeline);
    this.#consuming = true;
    this.#kick();
    await this.#serial(async () => {
      const link = this.#link;
      if (link === undefined || link.dead || !this.#consuming || link.consumerTag !== undefined) return;
      try {
        await this.#startConsumer(link);
      } catch (err) {
        // The reconnection starts the consumer once the broker is back.
        this.#lost(link, `starting the consumer failed: ${describe(err)}`);
      }
    });
  }

  async pause(): Promise<void> {
    if (!this.#consuming) return;
    this.#consuming = false;
    await this.#serial(async () => {
      const link = this.#link;
      if (link === undefined || link.consumer === undefined || link.consumerTag === undefined) return;
      const tag = link.consumerTag;
      link.consumerTag = undefined;
      try {
        await within(link.consumer.cancel(tag), this.#timings.operationMs, () => new Error('basic.cancel timed out'));
      } catch (err) {
        this.#lost(link, `cancelling the consumer failed: ${describe(err)}`);
      }
    });
    // Received but never handed to the core: straight back to the queue.
    for (const entry of this.#buffer.splice(0)) {
      entry.done = true;
      if (this.#live(entry)) this.#tryChannel(() => entry.ch.nack(entry.msg, false, true));
    }
  }

  async stat(): Promise<JobsDriverStat> {
    const reserved = this.#inFlight.size;
    if (this.#state === 'closed') return { queue: this.queue, active: 0, delayed: 0, reserved };
    const link = this.#usableLink();
    let active = 0;
    if (this.queue !== '') active = (await this.#check(link, this.queue)) ?? 0;
    let delayed = 0;
    for (const name of [...this.#delayQueues.keys()]) {
      const count = await this.#check(link, name);
      // Expired (x-expires) or deleted: nothing waits there any more.
      if (count === undefined) this.#delayQueues.delete(name);
      else delayed += count;
    }
    return { queue: this.queue, active, delayed, reserved };
  }

  stop(signal: AbortSignal): Promise<void> {
    this.#stopped ??= this.#stop(signal);
    return this.#stopped;
  }

  async destroy(signal: AbortSignal): Promise<void> {
    await this.stop(signal);
    if (!this.#config.delete_queue_on_stop || this.#removed) return;
    // The pipeline's own connection is closed by now; removal takes a short-lived one.
    const conn = await this.#dial().catch((err: unknown) => {
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, `cannot delete the queue: ${describe(err)}`, { cause: err });
    });
    try {
      const ch = await conn.createChannel();
      ch.on('error', () => undefined);
      const names = [...(this.queue === '' ? [] : [this.queue]), ...this.#delayQueues.keys()];
      for (const name of names) await within(ch.deleteQueue(name), this.#timings.operationMs, () => new Error(`deleting ${name} timed out`));
      this.#delayQueues.clear();
      this.#removed = true;
    } catch (err) {
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, `cannot delete the queue: ${describe(err)}`, { cause: err });
    } finally {
      await within(conn.close(), this.#timings.operationMs, () => new Error('close timed out')).catch(() => destroySocket(conn));
    }
  }

  // ── connection ─────────────────────────────────────────────────────────────────────────────────────

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(step, step);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #dial(): Promise<ChannelModel> {
    const conn = await connect(this.#endpoint.addr, {
      ...this.#endpoint.socket,
      timeout: this.#timings.connectMs,
      clientProperties: { connection_name: `rr jobs pipeline ${this.#pipeline}` },
    });
    // Failures arrive through 'close' as well; without a listener an 'error' event would throw.
    conn.on('error', () => undefined);
    return conn;
  }

  /** One connection attempt: dial, declare, open the channels, consume if asked to. */
  async #connect(): Promise<void> {
    let conn: ChannelModel;
    try {
      conn = await this.#dial();
    } catch (err) {
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, describe(err), { cause: err });
    }
    const link: Link = { conn, pub: undefined as unknown as ConfirmChannel, consumer: undefined, consumerTag: undefined, aux: undefined, returned: new Map(), blocked: undefined, dead: false };
    conn.on('close', (err?: Error) => this.#lost(link, err === undefined ? 'the connection closed' : describe(err)));
    conn.on('blocked', (reason: string) => {
      link.blocked = reason;
      this.#log.warn('amqp broker blocks publishing; pushes fail until it unblocks', { addr: this.#addr, reason });
    });
    conn.on('unblocked', () => {
      link.blocked = undefined;
      this.#log.info('amqp broker accepts publishing again', { addr: this.#addr });
    });
    try {
      await this.#declare(conn);
      link.pub = await within(conn.createConfirmChannel(), this.#timings.operationMs, () => new Error('opening a channel timed out'));
      link.pub.on('error', () => undefined);
      link.pub.on('close', () => this.#lost(link, 'the publishing channel closed'));
      link.pub.on('return', (msg: { properties: { messageId?: unknown } }) => {
        const id = String(msg.properties.messageId);
        link.returned.set(id, (link.returned.get(id) ?? 0) + 1);
      });
      if (link.dead) throw new Error('the connection closed while it was set up');
      if (this.#state === 'closed') throw amqpErrors.PIPELINE_STOPPED(this.#pipeline);
    } catch (err) {
      link.dead = true;
      await within(conn.close(), this.#timings.operationMs, () => new Error('close timed out')).catch(() => destroySocket(conn));
      if (isRrError(err)) throw err;
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, describe(err), { cause: err });
    }
    // Current before the consumer starts, so its first deliveries are not taken for a dead link's.
    this.#link = link;
    this.#state = 'up';
    if (!this.#consuming) return;
    try {
      await this.#startConsumer(link);
    } catch (err) {
      // Another round of reconnection takes over.
      this.#lost(link, `starting the consumer failed: ${describe(err)}`);
    }
  }

  /** Exchange, queue and binding, as RoadRunner declares them (idempotent on the broker). */
  async #declare(conn: ChannelModel): Promise<void> {
    const c = this.#config;
    const ch = await within(conn.createChannel(), this.#timings.operationMs, () => new Error('opening a channel timed out'));
    ch.on('error', () => undefined);
    const step = async (what: string, op: () => Promise<unknown>) => {
      try {
        await within(op(), this.#timings.operationMs, () => new Error('timed out'));
      } catch (err) {
        // A channel error (406 PRECONDITION_FAILED, 403 ACCESS_REFUSED) is a configuration problem; a dead
        // connection is not.
        if (/\b(40[3-6])\b/.test(describe(err))) throw amqpErrors.DECLARE_FAILED(this.#pipeline, what, describe(err), { cause: err });
        throw err;
      }
    };
    // The default exchange ("") exists always and cannot be declared.
    if (c.exchange !== '') {
      await step(`exchange "${c.exchange}"`, () => ch.assertExchange(c.exchange, c.exchange_type, { durable: c.exchange_durable, autoDelete: c.exchange_auto_delete }));
    }
    if (this.queue !== '') {
      await step(`queue "${this.queue}"`, () =>
        ch.assertQueue(this.queue, { durable: c.durable, autoDelete: c.queue_auto_delete, exclusive: c.exclusive, arguments: c.queue_headers }),
      );
      if (c.exchange !== '') await step(`the binding of "${this.queue}" to "${c.exchange}"`, () => ch.bindQueue(this.queue, c.exchange, c.routing_key));
    }
    await ch.close().catch(() => undefined);
  }

  async #startConsumer(link: Link): Promise<void> {
    if (link.consumer === undefined) {
      const ch = await within(link.conn.createChannel(), this.#timings.operationMs, () => new Error('opening a channel timed out'));
      ch.on('error', () => undefined);
      ch.on('close', () => this.#lost(link, 'the consumer channel closed'));
      await within(ch.prefetch(this.#prefetch, false), this.#timings.operationMs, () => new Error('basic.qos timed out'));
      link.consumer = ch;
    }
    const ch = link.consumer;
    const reply = await within(
      ch.consume(this.queue, (msg) => this.#onMessage(link, ch, msg), { consumerTag: this.#consumerTag, noAck: false }),
      this.#timings.operationMs,
      () => new Error('basic.consume timed out'),
    );
    link.consumerTag = reply.consumerTag;
  }

  /**
   * The link died (connection or one of its channels). Deliveries on it are dropped locally: the broker
   * puts every unacked one back in the queue, so settling them later does nothing.
   */
  #lost(link: Link, reason: string): void {
    link.dead = true;
    if (link !== this.#link || this.#state === 'closed') return;
    this.#link = undefined;
    this.#state = 'reconnecting';
    this.#lastError = reason;
    this.#dropDeliveries();
    this.#log.warn('amqp connection lost', { addr: this.#addr, error: reason });
    // Only a channel may have died: close the rest so the broker requeues what it holds.
    void within(link.conn.close(), this.#timings.operationMs, () => new Error('close timed out')).catch(() => destroySocket(link.conn));
    void this.#redial();
  }

  /** Restarts reconnection after it gave up, so a broker that is back is found again on the next call. */
  #kick(): void {
    if (this.#state !== 'failed') return;
    this.#state = 'reconnecting';
    void this.#redial();
  }

  async #redial(): Promise<void> {
    const deadline = Date.now() + this.#config.redial_timeout;
    let backoff = this.#timings.firstBackoffMs;
    let attempts = 0;
    while (this.#state === 'reconnecting') {
      await sleep(backoff, this.#abort.signal);
      if (this.#state !== 'reconnecting') return;
      attempts++;
      try {
        await this.#serial(() => (this.#state === 'reconnecting' ? this.#connect() : Promise.resolve()));
        if ((this.#state as State) === 'up') this.#log.info('amqp connection restored', { addr: this.#addr, attempts });
        return;
      } catch (err) {
        // The attempt's own reason, not its "broker unavailable" wrapper.
        this.#lastError = isRrError(err, amqpErrors.UNAVAILABLE.code) && err.cause !== undefined ? describe(err.cause) : describe(err);
        if (Date.now() + backoff >= deadline) {
          if (this.#state === 'reconnecting') {
            this.#state = 'failed';
            this.#log.error('amqp reconnection gave up; the next push, resume or stat tries again', {
              addr: this.#addr,
              attempts,
              redial_timeout_ms: this.#config.redial_timeout,
              error: this.#lastError,
            });
          }
          return;
        }
        this.#log.debug('amqp reconnection attempt failed', { addr: this.#addr, attempts, error: this.#lastError });
      }
      backoff = Math.min(backoff * 2, this.#timings.maxBackoffMs);
    }
  }

  /** The live link, or an immediate RR_ERR_AMQP_UNAVAILABLE while there is none. */
  #usableLink(): Link {
    if (this.#state === 'closed') throw amqpErrors.PIPELINE_STOPPED(this.#pipeline);
    const link = this.#link;
    if (link === undefined || link.dead) {
      const why = this.#state === 'failed' ? `reconnecting gave up after ${this.#config.redial_timeout} ms, trying again` : 'reconnecting';
      this.#kick();
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, `${why}; last error: ${this.#lastError}`);
    }
    return link;
  }

  async #stop(signal: AbortSignal): Promise<void> {
    // A connection attempt in progress sees 'closed' and closes its own connection.
    this.#state = 'closed';
    this.#consuming = false;
    this.#abort.abort();
    const link = this.#link;
    this.#link = undefined;
    this.#dropDeliveries();
    if (link === undefined) return;
    link.dead = true;
    // Closing the connection hands every unacked delivery back to the queue.
    let closed = false;
    // A connection that already died never answers close: its 'close' event ends the wait as well.
    const gone = new Promise<void>((resolve) => link.conn.once('close', () => resolve()));
    const closing = Promise.race([link.conn.close().catch(() => undefined), gone]).then(() => void (closed = true));
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([within(closing, this.#timings.operationMs, () => new Error('close timed out')).catch(() => undefined), aborted]);
    // A broker that does not confirm the close in time loses the socket, with the same effect.
    if (!closed) destroySocket(link.conn);
  }

  // ── consuming ──────────────────────────────────────────────────────────────────────────────────────

  #onMessage(link: Link, ch: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // basic.cancel from the broker: the queue was deleted. Reconnecting declares it again.
      this.#lost(link, 'the broker cancelled the consumer (was the queue deleted?)');
      return;
    }
    if (link !== this.#link || link.dead) return;
    const entry: Entry = { msg, link, ch, done: false };
    if (!this.#consuming) {
      // Arrived between pause and the broker's cancel-ok.
      this.#tryChannel(() => ch.nack(msg, false, true));
      return;
    }
    this.#buffer.push(entry);
    void this.#pump();
  }

  /** Hands buffered deliveries to the core one at a time, never more than prefetch unsettled. */
  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#consuming && this.#state === 'up' && this.#inFlight.size < this.#prefetch) {
        const entry = this.#buffer.shift();
        if (entry === undefined) break;
        if (!this.#live(entry)) continue;
        this.#inFlight.add(entry);
        try {
          await this.#deliver(this.#delivered(entry));
        } catch (err) {
          this.#log.error('the jobs core refused a delivery', { error: describe(err) });
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #live(entry: Entry): boolean {
    return entry.link === this.#link && !entry.link.dead && this.#state === 'up';
  }

  #dropDeliveries(): void {
    for (const entry of this.#inFlight) entry.done = true;
    for (const entry of this.#buffer) entry.done = true;
    this.#inFlight.clear();
    this.#buffer = [];
  }

  /** ack/nack are fire-and-forget frames; on a channel that just closed amqplib throws, and the broker redelivers. */
  #tryChannel(op: () => void): void {
    try {
      op();
    } catch {
      // the link's 'close' handler takes it from here
    }
  }

  #delivered(entry: Entry): DeliveredJob {
    const fields = unpackMessage(entry.msg.properties, this.#priority);
    if (fields.badHeaders) this.#log.warn('rr_headers is not a JSON map; the AMQP headers are used instead', { id: fields.id });
    const payload = new Uint8Array(entry.msg.content.buffer, entry.msg.content.byteOffset, entry.msg.content.byteLength);
    const job: JobMessage = { id: fields.id, job: fields.job, payload, headers: fields.headers, priority: fields.priority, delayMs: fields.delayMs, autoAck: fields.autoAck };
    // First settle wins; a delivery whose channel died is back in the queue, so settling it does nothing.
    const settle = async (apply: () => Promise<void> | void): Promise<void> => {
      if (entry.done) return;
      entry.done = true;
      if (!this.#live(entry)) {
        this.#inFlight.delete(entry);
        return;
      }
      try {
        await apply();
      } finally {
        this.#inFlight.delete(entry);
        void this.#pump();
      }
    };
    return {
      ...job,
      pipeline: this.#pipeline,
      queue: this.queue,
      ack: () => settle(() => this.#ack(entry)),
      nack: (options?: JobNackOptions) =>
        settle(() => {
          const requeue = options?.requeue ?? this.#config.requeue_on_fail;
          const delayMs = Math.ceil(options?.delayMs ?? 0);
          if (requeue && delayMs > 0) return this.#copyBack(entry, job, job.headers, delayMs);
          this.#tryChannel(() => entry.ch.nack(entry.msg, false, requeue));
        }),
      requeue: (options?: JobRequeueOptions) =>
        settle(() => this.#copyBack(entry, job, { ...job.headers, ...(options?.headers ?? {}) }, Math.ceil(options?.delayMs ?? 0))),
    };
  }

  #ack(entry: Entry): void {
    const multiple = this.#config.multiple_ack;
    this.#tryChannel(() => entry.ch.ack(entry.msg, multiple));
    if (!multiple) return;
    // multiple=true settled every earlier delivery of the channel on the broker too.
    const tag = entry.msg.fields.deliveryTag;
    for (const other of this.#inFlight) {
      if (other.ch === entry.ch && other.msg.fields.deliveryTag < tag) {
        other.done = true;
        this.#inFlight.delete(other);
      }
    }
  }

  /**
   * Requeue: a confirmed copy straight into this pipeline's queue (through a delay queue when delayed),
   * then the ack of the original. A copy goes to the queue, not through the exchange, so a fanout or
   * topic exchange does not hand it to other queues again.
   */
  async #copyBack(entry: Entry, job: JobMessage, headers: JobHeaders, delayMs: number): Promise<void> {
    const link = entry.link;
    try {
      let publication: Publication;
      if (delayMs > 0) {
        // RoadRunner's delay-queue name with the default exchange ("") as the dead-letter target.
        const name = `delayed-${delayMs}..${this.queue}`;
        await this.#declareDelayQueue(link, name, delayMs, '', this.queue);
        publication = this.#publication(job, headers, delayMs, '', name);
      } else {
        publication = this.#publication(job, headers, 0, '', this.queue);
      }
      await this.#publish(link, [publication]);
    } catch (err) {
      // The channel died: the broker redelivers the original, and the job is not lost.
      if (!this.#live(entry)) return;
      this.#tryChannel(() => entry.ch.nack(entry.msg, false, true));
      throw err;
    }
    if (this.#live(entry)) this.#tryChannel(() => entry.ch.ack(entry.msg, false));
  }

  // ── publishing ─────────────────────────────────────────────────────────────────────────────────────

  #routingKey(): string {
    // With the default exchange a message is routed by queue name.
    return this.#config.routing_key === '' && this.#config.exchange === '' ? this.queue : this.#config.routing_key;
  }

  #publication(message: JobMessage, headers: JobHeaders, delayMs: number, exchange: string, routingKey: string): Publication {
    const table = packHeaders(message, this.#pipeline, headers, delayMs);
    // amqplib encodes headers into a 64 KiB buffer; checked here, before any message of the batch is sent.
    const size = (table.rr_headers as Buffer).byteLength + Buffer.byteLength(message.id) + Buffer.byteLength(message.job) + Buffer.byteLength(this.#pipeline);
    if (size > MAX_HEADERS_BYTES) throw amqpErrors.PUBLISH_FAILED(this.#pipeline, `job ${message.id}: its headers take ${size} bytes, over the ${MAX_HEADERS_BYTES} bytes AMQP headers can carry here`);
    return {
      exchange,
      routingKey,
      content: Buffer.from(message.payload.buffer, message.payload.byteOffset, message.payload.byteLength),
      options: {
        persistent: true,
        mandatory: true,
        contentType: CONTENT_TYPE,
        timestamp: Math.floor(Date.now() / 1000),
        messageId: message.id,
        headers: table,
      },
    };
  }

  /**
   * Publishes on the confirm channel and resolves once the broker confirmed every message. `mandatory`
   * makes an unroutable message come back (basic.return before its confirm), so a push that no queue
   * took fails instead of vanishing.
   */
  async #publish(link: Link, publications: readonly Publication[]): Promise<void> {
    // A blocked connection holds publishes until the alarm clears: fail now rather than at the timeout.
    if (link.blocked !== undefined) throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, `the broker blocks publishing (${link.blocked})`);
    const waits = publications.map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          const confirmed = (err: unknown) => {
            if (err !== null && err !== undefined) {
              const reason = describe(err);
              reject(reason === 'channel closed' ? amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, 'the connection closed before the broker confirmed') : amqpErrors.PUBLISH_FAILED(this.#pipeline, reason));
              return;
            }
            const returned = link.returned.get(p.options.messageId) ?? 0;
            if (returned > 0) {
              if (returned === 1) link.returned.delete(p.options.messageId);
              else link.returned.set(p.options.messageId, returned - 1);
              reject(amqpErrors.UNROUTABLE(this.#pipeline, p.exchange, p.routingKey));
              return;
            }
            resolve();
          };
          try {
            link.pub.publish(p.exchange, p.routingKey, p.content, p.options, confirmed);
          } catch (err) {
            const name = err instanceof Error ? err.name : '';
            reject(name === 'IllegalOperationError' ? amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, describe(err)) : amqpErrors.PUBLISH_FAILED(this.#pipeline, describe(err), { cause: err }));
          }
        }),
    );
    const settled = Promise.allSettled(waits);
    let results: PromiseSettledResult<void>[];
    try {
      results = await within(settled, this.#timings.operationMs, () => new Error('timeout'));
    } catch {
      // A broker that neither confirms nor closes within the timeout is treated as gone.
      this.#lost(link, `no publisher confirm within ${this.#timings.operationMs} ms`);
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, `no publisher confirm within ${this.#timings.operationMs} ms`);
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason as RrError;
  }

  /** A queue that holds messages for `delayMs`, then dead-letters them to `exchange`/`routingKey` (RoadRunner's arguments). */
  async #declareDelayQueue(link: Link, name: string, delayMs: number, exchange: string, routingKey: string): Promise<void> {
    const args = { 'x-dead-letter-exchange': exchange, 'x-dead-letter-routing-key': routingKey, 'x-message-ttl': delayMs, 'x-expires': delayMs * 2 };
    try {
      const ch = await this.#aux(link);
      await within(ch.assertQueue(name, { durable: true, autoDelete: false, exclusive: false, arguments: args }), this.#timings.operationMs, () => new Error('timed out'));
    } catch (err) {
      if (link.dead) throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, describe(err), { cause: err });
      throw amqpErrors.DECLARE_FAILED(this.#pipeline, `delay queue "${name}"`, describe(err), { cause: err });
    }
    const now = Date.now();
    // x-expires has removed the queues not declared again for twice their delay.
    for (const [known, expires] of this.#delayQueues) if (expires < now) this.#delayQueues.delete(known);
    this.#delayQueues.set(name, now + delayMs * 2);
  }

  /** The message count of a queue; undefined when it does not exist. */
  async #check(link: Link, name: string): Promise<number | undefined> {
    try {
      const ch = await this.#aux(link);
      return (await within(ch.checkQueue(name), this.#timings.operationMs, () => new Error('queue.declare (passive) timed out'))).messageCount;
    } catch (err) {
      if (!link.dead && /\b404\b/.test(describe(err))) return undefined;
      throw amqpErrors.UNAVAILABLE(this.#addr, this.#pipeline, describe(err), { cause: err });
    }
  }

  #aux(link: Link): Promise<Channel> {
    if (link.aux !== undefined) return link.aux;
    const opening = within(link.conn.createChannel(), this.#timings.operationMs, () => new Error('opening a channel timed out')).then((ch) => {
      ch.on('error', () => undefined);
      // A 404 or 406 closes this channel only; the next call opens another.
      ch.on('close', () => {
        if (link.aux === opening) link.aux = undefined;
      });
      return ch;
    });
    link.aux = opening;
    opening.catch(() => {
      if (link.aux === opening) link.aux = undefined;
    });
    return opening;
  }
}
