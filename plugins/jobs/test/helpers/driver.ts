import { bool } from '@rr/config';
import { jobsDriversRef, type DeliveredJob, type JobDeliver, type JobMessage, type JobsDriver, type JobsPipeline } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';
import { z } from 'zod';

const optionsSchema = z.strictObject({ fail_push: bool().default(false), queue: z.string().optional() });

/** A queue of the test driver, shared by every handle opened on the same name in one world. */
export interface TestQueue {
  ready: JobMessage[];
  delayed: number;
  inFlight: Set<JobMessage>;
  wake?: (() => void) | undefined;
}

/** What the test driver saw, for assertions. */
export interface World {
  queues: Map<string, TestQueue>;
  pushed: { pipeline: string; messages: JobMessage[] }[];
  opened: { pipeline: string; prefetch: number; priority: number; config: unknown }[];
  stopped: string[];
  destroyed: string[];
}

export const newWorld = (): World => ({ queues: new Map(), pushed: [], opened: [], stopped: [], destroyed: [] });

/**
 * A small array-backed driver named `name` (plugins never import plugins, so the memory driver is not
 * used here). `fail_push: true` makes every push reject, to exercise failure paths.
 */
export function testDriverPlugin(world: World, name = 'mem'): Plugin {
  const driver: JobsDriver<z.output<typeof optionsSchema>> = {
    name,
    configSchema: optionsSchema,
    defaultPrefetch: 1000,
    open: (ctx) => {
      world.opened.push({ pipeline: ctx.pipeline, prefetch: ctx.prefetch, priority: ctx.priority, config: ctx.config });
      let q = world.queues.get(ctx.pipeline);
      if (q === undefined) {
        q = { ready: [], delayed: 0, inFlight: new Set() };
        world.queues.set(ctx.pipeline, q);
      }
      return Promise.resolve(handle(ctx.pipeline, ctx.config.queue ?? ctx.pipeline, q, ctx.prefetch, ctx.deliver, ctx.config.fail_push, world));
    },
  };
  return definePlugin({ id: `driver_${name}`, kernel: '^1.0.0', provides: { driver: jobsDriversRef }, init: () => ({ provides: { driver } }) });
}

function handle(pipeline: string, queue: string, q: TestQueue, prefetch: number, deliver: JobDeliver, failPush: boolean, world: World): JobsPipeline {
  let consuming = false;
  let closed = false;
  let pumping = false;
  const add = (m: JobMessage, delayMs: number) => {
    if (delayMs <= 0) {
      q.ready.push(m);
      q.wake?.();
      return;
    }
    q.delayed++;
    setTimeout(() => {
      q.delayed--;
      q.ready.push(m);
      q.wake?.();
    }, delayMs).unref();
  };
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (consuming && !closed && q.inFlight.size < prefetch) {
        const m = q.ready.shift();
        if (m === undefined) break;
        q.inFlight.add(m);
        await deliver(delivered(m));
      }
    } finally {
      pumping = false;
    }
  };
  const delivered = (m: JobMessage): DeliveredJob => {
    const settle = (apply: () => void) => {
      if (!q.inFlight.delete(m)) return Promise.resolve();
      apply();
      void pump();
      return Promise.resolve();
    };
    return {
      ...m,
      pipeline,
      queue,
      ack: () => settle(() => undefined),
      nack: (o) => settle(() => (o?.requeue === true ? add(m, o.delayMs ?? 0) : undefined)),
      requeue: (o) => settle(() => add({ ...m, headers: { ...m.headers, ...o?.headers } }, o?.delayMs ?? 0)),
    };
  };
  return {
    queue,
    push: (messages) => {
      if (failPush) return Promise.reject(new Error('broker refused the push'));
      world.pushed.push({ pipeline, messages: [...messages] });
      for (const m of messages) add({ ...m }, m.delayMs);
      return Promise.resolve();
    },
    resume: () => {
      consuming = true;
      q.wake = () => void pump();
      void pump();
      return Promise.resolve();
    },
    pause: () => {
      consuming = false;
      q.wake = undefined;
      return Promise.resolve();
    },
    stat: () => Promise.resolve({ queue, active: q.ready.length, delayed: q.delayed, reserved: q.inFlight.size }),
    stop: () => {
      if (!closed) {
        closed = true;
        consuming = false;
        world.stopped.push(pipeline);
        q.ready.unshift(...q.inFlight);
        q.inFlight.clear();
      }
      return Promise.resolve();
    },
    destroy: () => {
      closed = true;
      consuming = false;
      world.destroyed.push(pipeline);
      world.queues.delete(pipeline);
      return Promise.resolve();
    },
  };
}
