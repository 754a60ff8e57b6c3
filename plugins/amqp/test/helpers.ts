import { randomUUID } from 'node:crypto';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { DeliveredJob, JobMessage, JobsPipeline } from '@rr/contracts';
import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { connect, type ChannelModel } from 'amqplib';
import { amqpPipelineConfigSchema, createAmqpJobsDriver, type AmqpPipelineConfigInput, type AmqpTimings } from '../src/index.js';

export const BROKER_HOST = '127.0.0.1';
export const BROKER_PORT = 5672;
export const BROKER = `amqp://guest:guest@${BROKER_HOST}:${BROKER_PORT}/`;

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

export function message(overrides: Partial<JobMessage> = {}): JobMessage {
  return { id: randomUUID(), job: 'App\\Job', payload: bytes('payload'), headers: {}, priority: 10, delayMs: 0, autoAck: false, ...overrides };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with how long the promise took to settle and its rejection, if any. */
export async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const start = performance.now();
  try {
    await promise;
    return { ms: performance.now() - start, error: undefined };
  } catch (error) {
    return { ms: performance.now() - start, error };
  }
}

/**
 * Broker objects of one test, removed afterwards through a connection of the test's own. Names are unique
 * per test run, so parallel runs and other packages' tests never meet.
 */
export class Names {
  readonly prefix = `rr-test-${randomUUID().slice(0, 8)}`;
  readonly queues = new Set<string>();
  readonly exchanges = new Set<string>();
  #n = 0;

  /** A fresh queue + exchange + routing key, registered for cleanup. */
  next(): { queue: string; exchange: string; routing_key: string } {
    const base = `${this.prefix}-${++this.#n}`;
    return this.track(base);
  }

  track(base: string): { queue: string; exchange: string; routing_key: string } {
    this.queues.add(base);
    this.exchanges.add(`${base}.x`);
    return { queue: base, exchange: `${base}.x`, routing_key: base };
  }

  async cleanup(): Promise<void> {
    await withAdmin(async (conn) => {
      for (const name of this.queues) await onFreshChannel(conn, (ch) => ch.deleteQueue(name));
      for (const name of this.exchanges) await onFreshChannel(conn, (ch) => ch.deleteExchange(name));
    });
  }
}

/** Runs `fn` on a connection straight to the broker (not through the driver), then closes it. */
export async function withAdmin<T>(fn: (conn: ChannelModel) => Promise<T>): Promise<T> {
  const conn = await connect(BROKER);
  conn.on('error', () => undefined);
  try {
    return await fn(conn);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** A channel per operation: a 404 closes only that channel. */
export async function onFreshChannel(conn: ChannelModel, fn: (ch: Awaited<ReturnType<ChannelModel['createChannel']>>) => Promise<unknown>): Promise<void> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    await fn(ch);
    await ch.close();
  } catch {
    // already gone
  }
}

/** A pipeline whose deliveries land in `jobs`. */
export interface Opened {
  pipeline: JobsPipeline;
  jobs: DeliveredJob[];
  logger: RecordingLogger;
  nth(count: number, timeoutMs?: number): Promise<DeliveredJob>;
}

export async function openPipeline(
  input: AmqpPipelineConfigInput,
  options: { addr?: string; name?: string; prefetch?: number; timings?: Partial<AmqpTimings>; deliver?: (job: DeliveredJob) => void | Promise<void> } = {},
): Promise<Opened> {
  const logger = recordingLogger();
  const jobs: DeliveredJob[] = [];
  const driver = createAmqpJobsDriver({ addr: options.addr ?? BROKER }, options.timings);
  const pipeline = await driver.open({
    pipeline: options.name ?? 'test',
    config: amqpPipelineConfigSchema.parse(input),
    priority: 10,
    prefetch: options.prefetch ?? 10,
    logger,
    deliver: (job) => {
      jobs.push(job);
      return options.deliver?.(job);
    },
  });
  return {
    pipeline,
    jobs,
    logger,
    async nth(count, timeoutMs = 5000) {
      await until(() => jobs.length >= count, timeoutMs, `delivery #${count}`);
      return jobs[count - 1] as DeliveredJob;
    },
  };
}

/**
 * A TCP proxy in front of the broker: the driver connects here, and the test cuts the line (every open
 * connection reset, new ones refused) and restores it, without touching the shared RabbitMQ.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;
  port = 0;

  constructor() {
    this.#server = createServer((client) => {
      if (this.#cut) {
        client.destroy();
        return;
      }
      const upstream = netConnect(BROKER_PORT, BROKER_HOST);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          this.#sockets.delete(s);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  get addr(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  /** Resets every connection through the proxy and refuses new ones until `restore`. */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
