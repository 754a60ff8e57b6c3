import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type {
  DeliveredJob,
  JobHeaders,
  JobMessage,
  JobNackOptions,
  JobRequeueOptions,
  JobsDriver,
  JobsDriverStat,
  JobsOpenContext,
  JobsPipeline,
  Logger,
} from '@rr/contracts';
import type { Redis } from 'ioredis';
import { backoff, createClient, describeTarget, modeOf } from './client.js';
import type { RedisConfig } from './config.js';
import { Connection, type Subject } from './connection.js';
import { redisErrors } from './errors.js';
import { redisJobsConfigSchema, type RedisJobsConfig } from './jobs-config.js';
import { defineScripts, type JobsScripts, type ScriptArg } from './jobs-scripts.js';

/** Delayed jobs moved to the stream per script call, so one call never blocks Redis for long. */
const MOVE_LIMIT = 100;

/** One stream entry as Redis returns it; `fields` is null when the entry was deleted but is still pending. */
interface Entry {
  id: string;
  fields: Buffer[] | null;
}

type RawEntry = [Buffer, Buffer[] | null];

/** Where a batch of entries came from: this consumer's own pending list, a claim, or new entries. */
type Source = 'own' | 'claimed' | 'new';

/** The default stream of a pipeline. */
export const defaultStream = (pipeline: string): string => `rr:jobs:${pipeline}`;

/**
 * The delayed set of a stream, in the stream's hash slot (scripts touch both, and a cluster refuses
 * keys of two slots in one script): the stream's own hash tag when it has one, else the whole stream name
 * as the tag (`{rr:jobs:emails}:delayed` hashes exactly as `rr:jobs:emails`).
 */
export function delayedKeyOf(stream: string): string {
  const open = stream.indexOf('{');
  const close = open === -1 ? -1 : stream.indexOf('}', open + 1);
  if (close > open + 1 || stream.includes('}')) return `${stream}:delayed`;
  return `{${stream}}:delayed`;
}

const toBuffer = (value: Uint8Array): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));

/** The stream entry of a job (see README "Stream entries"). */
function fieldsOf(message: Omit<JobMessage, 'delayMs'>, headers: JobHeaders): (string | Buffer)[] {
  return [
    'id',
    message.id,
    'job',
    message.job,
    'priority',
    String(message.priority),
    'auto_ack',
    message.autoAck ? '1' : '0',
    'headers',
    JSON.stringify(headers),
    'payload',
    toBuffer(message.payload),
  ];
}

function parseHeaders(text: string): JobHeaders {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  const out: JobHeaders = {};
  for (const [name, values] of Object.entries(value)) {
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw new Error(`header ${name} is not a list of strings`);
    out[name] = values as string[];
  }
  return out;
}

/**
 * Reads an entry leniently, so entries XADDed by other producers are delivered too: a missing `id` is
 * the entry id, a missing or invalid `priority` the pipeline's, a missing payload empty. Only headers
 * that are not JSON are reported (and replaced by none).
 */
function decodeEntry(entry: Entry & { fields: Buffer[] }, pipelinePriority: number): { message: Omit<JobMessage, 'delayMs'>; problem?: string } {
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < entry.fields.length; i += 2) fields.set((entry.fields[i] as Buffer).toString(), entry.fields[i + 1] as Buffer);
  const text = (name: string): string | undefined => fields.get(name)?.toString();
  let headers: JobHeaders = {};
  let problem: string | undefined;
  const rawHeaders = text('headers');
  if (rawHeaders !== undefined && rawHeaders !== '') {
    try {
      headers = parseHeaders(rawHeaders);
    } catch (err) {
      problem = `headers are not a JSON object of string lists (${(err as Error).message})`;
    }
  }
  const priority = Number.parseInt(text('priority') ?? '', 10);
  const autoAck = text('auto_ack');
  const message = {
    id: text('id') || entry.id,
    job: text('job') ?? '',
    payload: fields.get('payload') ?? Buffer.alloc(0),
    headers,
    priority: Number.isInteger(priority) && priority > 0 ? priority : pipelinePriority,
    autoAck: autoAck === '1' || autoAck === 'true',
  };
  return problem === undefined ? { message } : { message, problem };
}

const toEntries = (raw: readonly RawEntry[] | undefined): Entry[] => (raw ?? []).map(([id, fields]) => ({ id: id.toString(), fields }));

const isNoGroup = (err: unknown): boolean => err instanceof Error && err.message.startsWith('NOGROUP');

/** A 16-character nonce: two equal delayed jobs stay two members of the delayed set. */
const nonce = (): string => randomBytes(8).toString('hex');

/** The settle state of one delivered entry. */
interface Held {
  settled: boolean;
}

interface PipelineParts {
  ctx: JobsOpenContext<RedisJobsConfig>;
  connection: RedisConfig;
  conn: Connection;
  stream: string;
  consumer: string;
  onStop: () => void;
}

/**
 * One pipeline on a Redis stream with a consumer group. Two connections: one for commands (push, settle,
 * stat, the delayed mover) and one, opened at the first resume, for the consumer's reads, which block.
 */
class RedisJobsPipeline implements JobsPipeline {
  readonly queue: string;
  readonly #ctx: JobsOpenContext<RedisJobsConfig>;
  readonly #options: RedisJobsConfig;
  readonly #connection: RedisConfig;
  readonly #conn: Connection;
  readonly #scripts: JobsScripts;
  readonly #log: Logger;
  readonly #stream: string;
  readonly #delayed: string;
  readonly #group: string;
  readonly #consumer: string;
  readonly #prefetch: number;
  readonly #backoff: (attempt: number) => number;
  readonly #onStop: () => void;
  /** Delivered entries not settled yet, by entry id. */
  readonly #held = new Map<string, Held>();
  readonly #waiters = new Set<() => void>();
  /** Settle calls on their way to Redis: the stop lets them land before it gives the rest back. */
  readonly #settling = new Set<Promise<void>>();
  #reader: Connection | undefined;
  /** The reader's creation, once started: a stop must close it even when it finishes late. */
  #readerOpening: Promise<Connection> | undefined;
  #consuming = false;
  #closed = false;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** The own pending list must be read again (after a resume, a reconnect or a failed settle). */
  #rescan = true;
  #ownCursor = '0';
  #claimCursor = '0-0';
  #claimAt = 0;
  /** When the consuming loop next looks for due delayed jobs (their due time, or block_timeout from now). */
  #moveCheckAt = 0;
  #groupReady = false;
  /** CLIENT ID of the reader connection, for CLIENT UNBLOCK (not in a cluster: the id is per node). */
  #readerId: number | undefined;
  #blocking = false;
  #moveTimer: NodeJS.Timeout | undefined;
  #moveAt = Number.POSITIVE_INFINITY;
  #touchTimer: NodeJS.Timeout | undefined;

  constructor(parts: PipelineParts) {
    const { ctx, connection, conn, stream, consumer, onStop } = parts;
    this.#ctx = ctx;
    this.#options = ctx.config;
    this.#connection = connection;
    this.#conn = conn;
    this.#scripts = defineScripts(conn.client);
    this.#log = ctx.logger;
    this.queue = stream;
    this.#stream = stream;
    this.#delayed = delayedKeyOf(stream);
    this.#group = ctx.config.group;
    this.#consumer = consumer;
    this.#prefetch = Math.max(1, ctx.prefetch);
    this.#backoff = backoff(connection);
    this.#onStop = onStop;
  }

  get #subject(): string {
    return `jobs pipeline ${JSON.stringify(this.#ctx.pipeline)}`;
  }

  /** Creates the group at the stream's start (jobs pushed before any consumer are delivered too). */
  async createGroup(client: Redis = this.#conn.client as Redis): Promise<void> {
    try {
      await client.xgroup('CREATE', this.#stream, this.#group, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
    }
    this.#groupReady = true;
  }

  async push(messages: readonly JobMessage[]): Promise<void> {
    if (this.#closed) throw redisErrors.CLOSED(this.#subject);
    if (messages.length === 0) return;
    this.#conn.check();
    const args: ScriptArg[] = [];
    let soonest = Number.POSITIVE_INFINITY;
    for (const message of messages) {
      const fields = fieldsOf(message, message.headers);
      const delay = Math.max(0, Math.ceil(message.delayMs));
      args.push(delay, nonce(), fields.length, ...fields);
      if (delay > 0) soonest = Math.min(soonest, delay);
    }
    try {
      await this.#scripts.push(this.#stream, this.#delayed, args);
    } catch (err) {
      throw this.#conn.wrap(err, 'XADD');
    }
    if (soonest !== Number.POSITIVE_INFINITY) this.#scheduleMove(soonest);
  }

  async resume(): Promise<void> {
    if (this.#closed || this.#consuming) return;
    this.#consuming = true;
    this.#readerOpening ??= this.#openReader();
    this.#reader = await this.#readerOpening;
    if (this.#closed || !this.#consuming) return;
    this.#needRescan();
    this.#claimAt = 0;
    this.#moveCheckAt = 0;
    this.#touchTimer ??= setInterval(() => void this.#touch(), Math.max(10, this.#options.visibility_timeout / 3)).unref();
    this.#startLoop();
  }

  async pause(): Promise<void> {
    if (!this.#consuming) return;
    this.#consuming = false;
    this.#poke();
    await this.#unblock();
  }

  async stat(): Promise<JobsDriverStat> {
    if (this.#closed) throw redisErrors.CLOSED(this.#subject);
    this.#conn.check();
    let length: number, pending: number, delayed: number;
    try {
      [length, pending, delayed] = await this.#scripts.stat(this.#stream, this.#delayed, [this.#group]);
    } catch (err) {
      throw this.#conn.wrap(err, 'XLEN/XPENDING/ZCARD');
    }
    // Acked entries are deleted, so the stream holds exactly the jobs not yet delivered plus the pending ones.
    return { queue: this.queue, active: Math.max(0, length - pending), delayed, reserved: this.#held.size };
  }

  stop(signal: AbortSignal): Promise<void> {
    this.#stopping ??= this.#shutdown(signal, false);
    return this.#stopping;
  }

  /** A handle already stopped has closed its connections: its destroy deletes nothing (the core never does that). */
  destroy(signal: AbortSignal): Promise<void> {
    this.#stopping ??= this.#shutdown(signal, this.#options.delete_stream_on_stop);
    return this.#stopping;
  }

  // ── consuming ───────────────────────────────────────────────────────────

  async #openReader(): Promise<Connection> {
    const client = await createClient(this.#connection, `rr:jobs:${this.#ctx.pipeline}:reader`, { blockingMs: this.#options.block_timeout });
    const subject: Subject = { kind: 'jobs pipeline', name: this.#ctx.pipeline };
    const reader = new Connection(client, describeTarget(this.#connection), subject, this.#connection.db, this.#log, true);
    client.on('close', () => (this.#readerId = undefined));
    // Entries read just before a connection loss may have reached this consumer's pending list without
    // their reply reaching rr: read the own list again.
    client.on('ready', () => {
      this.#readerId = undefined;
      this.#needRescan();
      this.#poke();
    });
    return reader;
  }

  #startLoop(): void {
    if (this.#loop !== undefined) return;
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
      // A resume that came while the loop was on its way out.
      if (this.#consuming && !this.#closed) this.#startLoop();
    });
  }

  async #run(): Promise<void> {
    let failures = 0;
    let warned = false;
    while (this.#consuming && !this.#closed) {
      const reader = this.#reader as Connection;
      const free = this.#prefetch - this.#held.size;
      if (free <= 0) {
        await this.#idle();
        continue;
      }
      if (!reader.ready) {
        await this.#idle(this.#backoff(++failures));
        continue;
      }
      let entries: Entry[];
      let source: Source;
      try {
        if (!this.#groupReady) await this.createGroup(reader.client as Redis);
        if (this.#rescan) [entries, source] = [await this.#readOwn(reader, free), 'own'];
        else if (Date.now() >= this.#claimAt) [entries, source] = [await this.#claim(reader, free), 'claimed'];
        else [entries, source] = [await this.#readNew(reader, free), 'new'];
      } catch (err) {
        if (this.#closed) break;
        this.#needRescan();
        if (isNoGroup(err)) this.#groupReady = false;
        const error = reader.wrap(err, 'XREADGROUP');
        if (!warned) {
          // An outage is reported once by the command connection; anything else is worth a warn here.
          const level = error.code === 'RR_ERR_REDIS_UNAVAILABLE' || isNoGroup(err) ? 'debug' : 'warn';
          this.#log[level]('redis jobs consumer cannot read, retrying', { stream: this.#stream, error: error.message });
          warned = level === 'warn';
        }
        await this.#idle(this.#backoff(++failures));
        continue;
      }
      if (warned) this.#log.info('redis jobs consumer reads again', { stream: this.#stream });
      failures = 0;
      warned = false;
      await this.#deliverAll(entries, source);
    }
  }

  /** This consumer's own pending entries, from the cursor on; those being worked on are skipped. */
  async #readOwn(reader: Connection, free: number): Promise<Entry[]> {
    const reply = await (reader.client as Redis).xreadgroupBuffer('GROUP', this.#group, this.#consumer, 'COUNT', free, 'STREAMS', this.#stream, this.#ownCursor);
    const entries = toEntries(reply?.[0]?.[1] as RawEntry[] | undefined);
    const last = entries.at(-1);
    if (last === undefined) {
      this.#rescan = false;
      this.#ownCursor = '0';
      return [];
    }
    this.#ownCursor = last.id;
    return entries.filter((e) => !this.#held.has(e.id));
  }

  /** Entries other consumers left idle past visibility_timeout (a dead rr), claimed for this one. */
  async #claim(reader: Connection, free: number): Promise<Entry[]> {
    // ioredis has xautoclaimBuffer at run time but not in its typings.
    const client = reader.client as unknown as { xautoclaimBuffer(...args: (string | number)[]): Promise<unknown> };
    const reply = (await client.xautoclaimBuffer(
      this.#stream,
      this.#group,
      this.#consumer,
      Math.ceil(this.#options.visibility_timeout),
      this.#claimCursor,
      'COUNT',
      free,
    )) as [Buffer, RawEntry[], Buffer[]?];
    this.#claimCursor = reply[0].toString();
    if (this.#claimCursor === '0-0') this.#claimAt = Date.now() + Math.max(50, this.#options.visibility_timeout / 4);
    return toEntries(reply[1]).filter((e) => !this.#held.has(e.id));
  }

  /** New entries, blocking until one comes, the next delayed job is due, or block_timeout passes. */
  async #readNew(reader: Connection, free: number): Promise<Entry[]> {
    const blockMax = this.#options.block_timeout;
    if (Date.now() >= this.#moveCheckAt) {
      const nextDue = await this.#moveDue();
      this.#moveCheckAt = Date.now() + (nextDue >= 0 ? Math.min(nextDue, blockMax) : blockMax);
    }
    const now = Date.now();
    const block = Math.max(1, Math.ceil(Math.min(blockMax, this.#moveCheckAt - now, this.#claimAt - now)));
    const client = reader.client as Redis;
    if (modeOf(this.#connection) !== 'cluster' && this.#readerId === undefined) this.#readerId = (await client.client('ID')) as number;
    if (!this.#consuming || this.#closed) return [];
    this.#blocking = true;
    try {
      const reply = await client.xreadgroupBuffer('GROUP', this.#group, this.#consumer, 'COUNT', free, 'BLOCK', block, 'STREAMS', this.#stream, '>');
      return toEntries(reply?.[0]?.[1] as RawEntry[] | undefined);
    } finally {
      this.#blocking = false;
    }
  }

  /** Ends a blocking read now (pause, stop) instead of after its BLOCK time. */
  async #unblock(): Promise<void> {
    const id = this.#readerId;
    if (!this.#blocking || id === undefined || !this.#conn.ready) return;
    await (this.#conn.client as Redis).client('UNBLOCK', id).catch(() => undefined);
  }

  async #deliverAll(entries: readonly Entry[], source: Source): Promise<void> {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as Entry;
      if (entry.fields === null) {
        // Deleted while pending (dropped elsewhere): only its pending record is left.
        await this.#scripts.settle(this.#stream, this.#delayed, [this.#group, this.#consumer, entry.id, 'ack', 0, '']).catch(() => undefined);
        continue;
      }
      if (this.#closed) return;
      if (!this.#consuming) {
        // Read while pausing: back to the stream for any consumer, rather than held here unseen.
        await this.#giveBack(entries.slice(i).filter((e) => e.fields !== null).map((e) => e.id));
        return;
      }
      const { message, problem } = decodeEntry(entry as Entry & { fields: Buffer[] }, this.#ctx.priority);
      if (problem !== undefined) this.#log.warn('redis stream entry with invalid headers, delivered without them', { stream: this.#stream, entry: entry.id, problem });
      if (source === 'claimed') this.#log.debug('job claimed from an idle consumer', { id: message.id, entry: entry.id });
      const job = this.#delivered(entry.id, message);
      try {
        await this.#ctx.deliver(job);
      } catch (err) {
        // The core did not take it: back to the stream, or its prefetch slot would be held forever.
        this.#log.error('delivering a job failed; it goes back to the stream', { id: message.id, error: err instanceof Error ? err.message : String(err) });
        this.#held.delete(entry.id);
        await this.#giveBack([entry.id]);
      }
    }
  }

  async #giveBack(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.#scripts.release(this.#stream, this.#delayed, [this.#group, this.#consumer, ...ids]);
    } catch (err) {
      this.#needRescan();
      this.#log.debug('returning jobs to the stream failed; they stay pending here', { error: this.#conn.wrap(err, 'XADD').message });
    }
  }

  #delivered(entryId: string, message: Omit<JobMessage, 'delayMs'>): DeliveredJob {
    const held: Held = { settled: false };
    this.#held.set(entryId, held);
    const settle = (label: string, args: ScriptArg[], delayMs = 0): Promise<void> => {
      // First settle wins; after stop the entry went back to the stream, so settling it would lose or duplicate it.
      if (held.settled || this.#closed || this.#held.get(entryId) !== held) return Promise.resolve();
      held.settled = true;
      const applying = apply(label, args, delayMs);
      const tracked = applying.catch(() => undefined);
      this.#settling.add(tracked);
      void tracked.finally(() => this.#settling.delete(tracked));
      return applying;
    };
    const apply = async (label: string, args: ScriptArg[], delayMs: number): Promise<void> => {
      try {
        this.#conn.check();
        const applied = await this.#scripts.settle(this.#stream, this.#delayed, [this.#group, this.#consumer, entryId, ...args]);
        if (applied === 0) this.#log.debug('job not requeued: another consumer claimed it meanwhile', { id: message.id, entry: entryId });
        else if (delayMs > 0) this.#scheduleMove(delayMs);
      } catch (err) {
        // The entry stays pending for this consumer: the next read of the own list delivers it again.
        this.#needRescan();
        throw this.#conn.wrap(err, label);
      } finally {
        this.#held.delete(entryId);
        this.#poke();
      }
    };
    const requeue = (headers: JobHeaders, delayMs: number | undefined): Promise<void> => {
      const delay = Math.max(0, Math.ceil(delayMs ?? 0));
      return settle('XADD/XACK', ['requeue', delay, nonce(), ...fieldsOf(message, headers)], delay);
    };
    return {
      ...message,
      delayMs: 0,
      pipeline: this.#ctx.pipeline,
      queue: this.queue,
      ack: () => settle('XACK', ['ack', 0, '']),
      nack: (options?: JobNackOptions) => (options?.requeue === true ? requeue(message.headers, options.delayMs) : settle('XACK', ['ack', 0, ''])),
      requeue: (options?: JobRequeueOptions) => requeue({ ...message.headers, ...options?.headers }, options?.delayMs),
    };
  }

  // ── delayed jobs, renewal, waiting ──────────────────────────────────────

  /** Moves every due delayed job to the stream; returns ms until the next one is due, or -1. */
  async #moveDue(): Promise<number> {
    this.#conn.check();
    for (;;) {
      const [moved, wait] = await this.#scripts.move(this.#stream, this.#delayed, [MOVE_LIMIT]);
      if (moved < MOVE_LIMIT) return wait;
    }
  }

  /**
   * Wakes the mover when a delay this handle set runs out: the XADD then wakes a blocked reader at once,
   * here or in any rr. One timer, at the earliest known due time.
   */
  #scheduleMove(inMs: number): void {
    if (this.#closed) return;
    const at = Date.now() + inMs;
    if (this.#moveTimer !== undefined && this.#moveAt <= at) return;
    clearTimeout(this.#moveTimer);
    this.#moveAt = at;
    this.#moveTimer = setTimeout(() => {
      this.#moveTimer = undefined;
      this.#moveAt = Number.POSITIVE_INFINITY;
      this.#moveDue().then(
        (wait) => {
          if (wait >= 0) this.#scheduleMove(wait);
        },
        // Redis is away: try again; nothing is lost meanwhile, the jobs wait in the delayed set.
        () => this.#scheduleMove(this.#options.block_timeout),
      );
    }, Math.max(1, inMs + 1)).unref();
  }

  /** Renews the entries being worked on, so no other consumer claims them from a live rr. */
  async #touch(): Promise<void> {
    if (this.#held.size === 0 || !this.#conn.ready || this.#closed) return;
    try {
      await this.#scripts.touch(this.#stream, this.#delayed, [this.#group, this.#consumer, ...this.#held.keys()]);
    } catch (err) {
      this.#log.debug('renewing delivered jobs failed', { error: this.#conn.wrap(err, 'XCLAIM').message });
    }
  }

  #needRescan(): void {
    this.#rescan = true;
    this.#ownCursor = '0';
  }

  /** Waits for a settle, a pause, a reconnect or a stop (or `ms`, when given). */
  #idle(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      if (ms !== undefined) timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  #poke(): void {
    for (const done of [...this.#waiters]) done();
  }

  // ── stop ────────────────────────────────────────────────────────────────

  async #shutdown(signal: AbortSignal, deleteKeys: boolean): Promise<void> {
    this.#closed = true;
    this.#consuming = false;
    clearTimeout(this.#moveTimer);
    clearInterval(this.#touchTimer);
    this.#poke();
    await this.#unblock();
    // The loop's last read must be over before the release (entries it still receives are released too),
    // and settles already sent must land first (else a job acked right now would go back and run again).
    await Promise.race([Promise.all([this.#loop, ...this.#settling]), aborted(signal)]);
    let failure: unknown;
    if (this.#conn.ready) {
      try {
        const released = await this.#scripts.release(this.#stream, this.#delayed, [this.#group, this.#consumer]);
        if (released > 0) this.#log.debug('unsettled jobs returned to the stream', { stream: this.#stream, count: released });
      } catch (err) {
        this.#log.warn('unsettled jobs could not be returned; another consumer claims them after visibility_timeout', {
          stream: this.#stream,
          error: this.#conn.wrap(err, 'XADD').message,
        });
      }
      if (deleteKeys) {
        try {
          await this.#conn.client.del(this.#stream, this.#delayed);
        } catch (err) {
          failure = this.#conn.wrap(err, 'DEL');
        }
      }
    } else {
      if (this.#held.size > 0) {
        this.#log.warn('redis is unavailable: unsettled jobs stay pending and another consumer claims them after visibility_timeout', {
          stream: this.#stream,
          count: this.#held.size,
        });
      }
      if (deleteKeys) failure = this.#conn.wrap(undefined, 'DEL');
    }
    this.#held.clear();
    const reader = await this.#readerOpening?.catch(() => undefined);
    await Promise.all([reader?.close(signal), this.#conn.close(signal)]);
    // Only now may another pipeline of this rr take the same consumer name: the release above is done.
    this.#onStop();
    if (failure !== undefined) throw failure;
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/**
 * Creates the `redis` jobs driver: pipelines on Redis streams with a consumer group, connected through
 * the root `redis` section (`root`) unless a pipeline sets its own `redis` connection. Nothing connects
 * before a pipeline opens.
 */
export function createRedisJobsDriver(root: RedisConfig): JobsDriver<RedisJobsConfig> {
  // Which pipeline of this rr consumes which stream as which consumer: two would redeliver each other's jobs.
  const consumers = new Map<string, string>();
  return {
    name: 'redis',
    configSchema: redisJobsConfigSchema,
    // As RoadRunner's amqp and nats drivers.
    defaultPrefetch: 10,
    async open(ctx) {
      const connection = ctx.config.redis ?? root;
      const stream = ctx.config.stream === '' ? defaultStream(ctx.pipeline) : ctx.config.stream;
      const consumer = ctx.config.consumer === '' ? `${hostname()}-${process.pid}` : ctx.config.consumer;
      const address = describeTarget(connection);
      const key = JSON.stringify([address, connection.db, stream, ctx.config.group, consumer]);
      const other = consumers.get(key);
      if (other !== undefined) throw redisErrors.CONSUMER_IN_USE(ctx.pipeline, other, stream, ctx.config.group, consumer);
      consumers.set(key, ctx.pipeline);
      const release = () => {
        if (consumers.get(key) === ctx.pipeline) consumers.delete(key);
      };

      const subject: Subject = { kind: 'jobs pipeline', name: ctx.pipeline };
      let conn: Connection;
      try {
        conn = new Connection(await createClient(connection, `rr:jobs:${ctx.pipeline}`), address, subject, connection.db, ctx.logger);
      } catch (err) {
        release();
        throw err;
      }
      const pipeline = new RedisJobsPipeline({ ctx, connection, conn, stream, consumer, onStop: release });
      try {
        await conn.firstConnect(connection.dial_timeout * (modeOf(connection) === 'sentinel' ? 2 : 1) + 1000);
        // A key of another type under the stream's name is a config mistake: fail the open, not every read.
        if (conn.ready) await pipeline.createGroup().catch((err: unknown) => {
          const error = conn.wrap(err, 'XGROUP CREATE');
          if (error.code !== 'RR_ERR_REDIS_UNAVAILABLE') throw error;
        });
      } catch (err) {
        release();
        await conn.close(AbortSignal.timeout(1000));
        throw err;
      }
      ctx.logger.debug('redis jobs pipeline opened', { address, stream, group: ctx.config.group, consumer, connected: conn.ready });
      return pipeline;
    },
  };
}
