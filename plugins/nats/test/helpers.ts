import type { DeliveredJob, JobMessage, JobsPipeline } from '@rr/contracts';
import { recordingLogger, type RecordingLogger } from '@rr/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { createNatsJobsDriver, natsConfigSchema, natsJobsConfigSchema, natsNames, type NatsConfigInput, type NatsJobsConfigInput } from '../src/index.js';

/** The shared NATS server (with JetStream) of this machine. */
export const NATS_PORT = 4222;
export const NATS_ADDR = `nats://127.0.0.1:${NATS_PORT}`;

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A pipeline name no other test uses; it also names the test's stream. */
export const uniqueName = (): string => `rrt-${randomBytes(5).toString('hex')}`;

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

/** A direct JetStream admin connection for looking at and cleaning up what the driver left on the server. */
export async function admin(): Promise<{ nc: NatsConnection; jsm: JetStreamManager; close(): Promise<void> }> {
  const nc = await connect({ servers: NATS_ADDR });
  const jsm = await jetstreamManager(nc);
  return { nc, jsm, close: () => nc.close() };
}

/** Deletes a pipeline's stream and delay stream (whatever a test left behind). */
export async function deleteStreams(streams: Iterable<string>): Promise<void> {
  const a = await admin();
  try {
    for (const stream of streams) {
      for (const name of [stream, natsNames('x', { stream, subject: 'x' }).delayStream]) await a.jsm.streams.delete(name).catch(() => undefined);
    }
  } finally {
    await a.close();
  }
}

/** A pipeline opened on the driver, paused, whose deliveries land in `jobs`. */
export interface Opened {
  pipeline: JobsPipeline;
  jobs: DeliveredJob[];
  logger: RecordingLogger;
}

export async function openPipeline(options: {
  name: string;
  root?: NatsConfigInput;
  config?: NatsJobsConfigInput;
  prefetch?: number;
  priority?: number;
  /** Runs after the job landed in `jobs` (ack it, hold it …); what it returns is the core's back-pressure. */
  onJob?: (job: DeliveredJob) => void | Promise<void>;
}): Promise<Opened> {
  const driver = createNatsJobsDriver(natsConfigSchema.parse(options.root ?? { addr: NATS_ADDR }));
  const logger = recordingLogger();
  const jobs: DeliveredJob[] = [];
  const pipeline = await driver.open({
    pipeline: options.name,
    config: natsJobsConfigSchema.parse({ stream: options.name, subject: `${options.name}.jobs`, ...options.config }),
    priority: options.priority ?? 10,
    prefetch: options.prefetch ?? 10,
    logger: logger.named('jobs').with({ pipeline: options.name }),
    deliver: (job) => {
      jobs.push(job);
      return options.onJob?.(job);
    },
  });
  return { pipeline, jobs, logger };
}

/**
 * A TCP proxy in front of the NATS server: `cut()` drops every connection and refuses new ones (an outage
 * as the client sees it), `restore()` accepts again. `connections` counts connections accepted so far.
 */
export async function startProxy(targetPort = NATS_PORT): Promise<{
  port: number;
  addr: string;
  connections: () => number;
  open: () => number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepting = true;
  let accepted = 0;
  const server = createServer((client) => {
    if (!accepting) {
      client.destroy();
      return;
    }
    accepted++;
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', drop);
      s.on('close', drop);
    }
    upstream.connect(targetPort, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const cut = () => {
    accepting = false;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    port,
    addr: `nats://127.0.0.1:${port}`,
    connections: () => accepted,
    open: () => sockets.size / 2,
    cut,
    restore: () => {
      accepting = true;
    },
    close: async () => {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (taken from the OS, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
