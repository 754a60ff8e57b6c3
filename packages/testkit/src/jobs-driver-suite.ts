import type { DeliveredJob, JobMessage, JobsDriver, JobsPipeline } from '@rr/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { recordingLogger } from './recording-logger.js';

export interface JobsDriverSuiteOptions {
  /** The driver under test (a driver plugin's `jobsDriver`). */
  driver: JobsDriver;
  /**
   * The raw pipeline options for a pipeline named `pipeline` (validated with the driver's schema); each
   * test uses a fresh name, so a driver that maps names to broker queues gets a fresh queue. Default `{}`.
   */
  config?: (pipeline: string) => unknown;
  /**
   * Whether a pipeline opened again on the same queue gets the jobs an earlier handle left (stop
   * returns unsettled jobs to the queue). True for brokers and files, and for the memory driver within
   * one driver instance. Default true.
   */
  reopen?: boolean;
  /** Whether `destroy` leaves the queue empty for a later handle (with the options from `config`). Default true. */
  destroyRemoves?: boolean;
  /** The delay used by the delay tests, in ms; a backend with whole-second delays needs 1000 or more. Default 400. */
  delayMs?: number;
  /** Called once after the suite (stop a private server, remove a directory). */
  teardown?: () => Promise<void>;
}

/** A job as delivered, plus a way to wait for the next ones. */
interface Inbox {
  jobs: DeliveredJob[];
  /** Resolves with the `count`-th delivery (1-based) once it arrived. */
  nth(count: number, timeoutMs?: number): Promise<DeliveredJob>;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The quiet period used to show that something does NOT happen (no probe can prove an absence). */
const QUIET_MS = 250;
const quiet = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, QUIET_MS));

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function message(overrides: Partial<JobMessage> = {}): JobMessage {
  return { id: randomUUID(), job: 'App\\Job', payload: bytes('payload'), headers: {}, priority: 10, delayMs: 0, autoAck: false, ...overrides };
}

/**
 * The jobs driver contract (see `JobsPipeline` in @rr/contracts): every driver plugin runs this suite
 * against its real backend, so the jobs core can count on the same ack, nack, requeue, delay, prefetch,
 * pause and stop behaviour whatever carries the jobs.
 */
export function describeJobsDriver(options: JobsDriverSuiteOptions): void {
  const { driver } = options;
  const delayMs = options.delayMs ?? 400;
  const reopen = options.reopen ?? true;
  const destroyRemoves = options.destroyRemoves ?? true;
  const prefix = `t${randomUUID().slice(0, 8)}`;
  let counter = 0;
  const handles: JobsPipeline[] = [];

  /** Opens a pipeline (paused) whose deliveries land in an inbox. */
  async function open(opts: { name?: string; prefetch?: number; deliver?: (job: DeliveredJob) => void | Promise<void> } = {}) {
    const name = opts.name ?? `${prefix}-${++counter}`;
    const raw = options.config?.(name) ?? {};
    const validated = await driver.configSchema['~standard'].validate(raw);
    if (validated.issues !== undefined) throw new Error(`invalid suite config for ${driver.name}: ${JSON.stringify(validated.issues)}`);
    const jobs: DeliveredJob[] = [];
    const inbox: Inbox = {
      jobs,
      async nth(count, timeoutMs = 5000) {
        await until(() => jobs.length >= count, timeoutMs, `delivery #${count}`);
        return jobs[count - 1] as DeliveredJob;
      },
    };
    const pipeline = await driver.open({
      pipeline: name,
      config: validated.value,
      priority: 10,
      prefetch: opts.prefetch ?? 100,
      logger: recordingLogger(),
      deliver: (job) => {
        jobs.push(job);
        return opts.deliver?.(job);
      },
    });
    handles.push(pipeline);
    return { name, pipeline, inbox };
  }

  describe(`jobs driver contract: ${driver.name}`, () => {
    afterEach(async () => {
      for (const handle of handles.splice(0)) await handle.destroy(AbortSignal.timeout(5000));
    });
    afterAll(async () => {
      await options.teardown?.();
    });

    it('delivers a pushed job with every field intact, and ack removes it', async () => {
      const { name, pipeline, inbox } = await open();
      const payload = new Uint8Array(256).map((_, i) => i);
      const sent = message({ payload, job: 'App\\Jobs\\Ünïcode', headers: { 'x-a': ['1', '2'], empty: [] }, priority: 3, autoAck: true });
      await pipeline.push([sent]);
      await pipeline.resume();
      const got = await inbox.nth(1);
      expect(got).toMatchObject({ id: sent.id, job: sent.job, priority: 3, autoAck: true, pipeline: name, queue: pipeline.queue });
      expect(Buffer.from(got.payload).equals(Buffer.from(payload))).toBe(true);
      expect(got.headers['x-a']).toEqual(['1', '2']);
      await got.ack();
      await until(async () => (await pipeline.stat()).reserved === 0, 5000, 'reserved back to 0');
      expect(await pipeline.stat()).toMatchObject({ queue: pipeline.queue, active: 0, delayed: 0, reserved: 0 });
    });

    it('starts paused, and pause/resume stop and restart delivery while push keeps working', async () => {
      const { pipeline, inbox } = await open();
      await pipeline.push([message()]);
      await quiet();
      expect(inbox.jobs).toHaveLength(0);
      await pipeline.resume();
      await (await inbox.nth(1)).ack();
      await pipeline.pause();
      await pipeline.push([message()]);
      await quiet();
      expect(inbox.jobs).toHaveLength(1);
      await until(async () => (await pipeline.stat()).active === 1, 5000, 'the paused job counted as active');
      await pipeline.resume();
      await (await inbox.nth(2)).ack();
    });

    it('keeps every job of a batch', async () => {
      const { pipeline, inbox } = await open();
      const batch = Array.from({ length: 20 }, (_, i) => message({ job: `job-${i}` }));
      await pipeline.push(batch);
      await pipeline.resume();
      await inbox.nth(20);
      expect(new Set(inbox.jobs.map((j) => j.id))).toEqual(new Set(batch.map((m) => m.id)));
      await Promise.all(inbox.jobs.map((j) => j.ack()));
    });

    it('drops a job nacked without requeue', async () => {
      const { pipeline, inbox } = await open();
      await pipeline.push([message()]);
      await pipeline.resume();
      await (await inbox.nth(1)).nack();
      await until(async () => {
        const s = await pipeline.stat();
        return s.active + s.delayed + s.reserved === 0;
      }, 5000, 'the nacked job gone');
      await quiet();
      expect(inbox.jobs).toHaveLength(1);
    });

    it('redelivers a job nacked with requeue, headers unchanged', async () => {
      const { pipeline, inbox } = await open();
      const sent = message({ headers: { keep: ['me'] } });
      await pipeline.push([sent]);
      await pipeline.resume();
      await (await inbox.nth(1)).nack({ requeue: true });
      const again = await inbox.nth(2);
      expect(again).toMatchObject({ id: sent.id, headers: { keep: ['me'] } });
      await again.ack();
    });

    it('lets only the first settle count', async () => {
      const { pipeline, inbox } = await open();
      await pipeline.push([message()]);
      await pipeline.resume();
      const job = await inbox.nth(1);
      await job.ack();
      await job.nack({ requeue: true });
      await job.requeue();
      await quiet();
      expect(inbox.jobs).toHaveLength(1);
    });

    it('honours a delay on push: counted as delayed, never delivered early', async () => {
      const { pipeline, inbox } = await open();
      const pushed = Date.now();
      await pipeline.push([message({ delayMs })]);
      await pipeline.resume();
      await until(async () => (await pipeline.stat()).delayed === 1, 2000, 'the job counted as delayed');
      const job = await inbox.nth(1, delayMs + 5000);
      expect(Date.now() - pushed).toBeGreaterThanOrEqual(delayMs - 20);
      await job.ack();
    });

    it('requeues a copy with merged headers after the delay, never before', async () => {
      const { pipeline, inbox } = await open();
      const sent = message({ headers: { a: ['1'], b: ['old'] } });
      await pipeline.push([sent]);
      await pipeline.resume();
      const first = await inbox.nth(1);
      const requeued = Date.now();
      await first.requeue({ headers: { b: ['new'], c: ['3'] }, delayMs });
      const again = await inbox.nth(2, delayMs + 5000);
      expect(Date.now() - requeued).toBeGreaterThanOrEqual(delayMs - 20);
      expect(again.id).toBe(sent.id);
      expect(again.headers).toMatchObject({ a: ['1'], b: ['new'], c: ['3'] });
      await again.ack();
      await until(async () => (await pipeline.stat()).reserved === 0, 5000, 'the original acked');
    });

    it('honours a delay on nack with requeue', async () => {
      const { pipeline, inbox } = await open();
      await pipeline.push([message()]);
      await pipeline.resume();
      const nacked = Date.now();
      await (await inbox.nth(1)).nack({ requeue: true, delayMs });
      const again = await inbox.nth(2, delayMs + 5000);
      expect(Date.now() - nacked).toBeGreaterThanOrEqual(delayMs - 20);
      await again.ack();
    });

    it('keeps at most prefetch jobs unsettled, and stat counts active, delayed and reserved', async () => {
      const { pipeline, inbox } = await open({ prefetch: 2 });
      await pipeline.push([message(), message(), message(), message(), message({ delayMs: 60_000 })]);
      await pipeline.resume();
      await inbox.nth(2);
      await quiet();
      expect(inbox.jobs).toHaveLength(2);
      expect(await pipeline.stat()).toMatchObject({ active: 2, delayed: 1, reserved: 2 });
      await inbox.jobs[0]?.ack();
      await inbox.nth(3);
      await quiet();
      expect(inbox.jobs).toHaveLength(3);
    });

    it('waits for the core: no next delivery before the previous deliver() settles', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const { pipeline, inbox } = await open({ prefetch: 10, deliver: () => gate });
      await pipeline.push([message(), message()]);
      await pipeline.resume();
      await inbox.nth(1);
      await quiet();
      expect(inbox.jobs).toHaveLength(1);
      release();
      await inbox.nth(2);
    });

    it.skipIf(!reopen)('stop gives unsettled jobs back: a new pipeline on the same queue gets them', async () => {
      const first = await open({ prefetch: 2 });
      const ids = [message(), message(), message()];
      await first.pipeline.push(ids);
      await first.pipeline.resume();
      const a = await first.inbox.nth(1);
      await first.inbox.nth(2);
      await a.ack();
      await first.inbox.nth(3);
      await first.pipeline.stop(AbortSignal.timeout(5000));
      const late = first.inbox.jobs[1] as DeliveredJob;
      await late.ack(); // after stop: no effect, the job is back in the queue
      const second = await open({ name: first.name });
      await second.pipeline.resume();
      await second.inbox.nth(2);
      const expected = first.inbox.jobs.slice(1).map((j) => j.id);
      expect(second.inbox.jobs.map((j) => j.id).sort()).toEqual(expected.sort());
      await Promise.all(second.inbox.jobs.map((j) => j.ack()));
    });

    it.skipIf(!destroyRemoves)('destroy removes the queue', async () => {
      const first = await open();
      await first.pipeline.push([message(), message({ delayMs: 60_000 })]);
      await first.pipeline.destroy(AbortSignal.timeout(5000));
      const second = await open({ name: first.name });
      expect(await second.pipeline.stat()).toMatchObject({ active: 0, delayed: 0, reserved: 0 });
    });
  });
}
