import type { DeliveredJob, JobMessage } from '@rr/contracts';
import { describeJobsDriver, recordingLogger } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { createMemoryJobsDriver } from '../src/jobs.js';

describeJobsDriver({ driver: createMemoryJobsDriver() });

const message = (id: string, delayMs = 0, priority = 10): JobMessage => ({ id, job: 'J', payload: new Uint8Array([1, 2]), headers: {}, priority, delayMs, autoAck: false });

describe('memory jobs driver', () => {
  const open = (driver = createMemoryJobsDriver(), deliver: (job: DeliveredJob) => void = () => undefined) =>
    driver.open({ pipeline: 'p', config: {}, priority: 10, prefetch: 10, logger: recordingLogger(), deliver });

  it('keeps queues per driver instance: two drivers never share a pipeline', async () => {
    const a = await open();
    const b = await open();
    await a.push([message('1')]);
    expect((await a.stat()).active).toBe(1);
    expect((await b.stat()).active).toBe(0);
  });

  it('delivers queued jobs by priority, FIFO within one, and hands unsettled jobs back in front of their priority', async () => {
    const driver = createMemoryJobsDriver();
    const seen: DeliveredJob[] = [];
    const p = await driver.open({ pipeline: 'p', config: {}, priority: 10, prefetch: 3, logger: recordingLogger(), deliver: (j) => void seen.push(j) });
    await p.push([message('a9', 0, 9), message('b1', 0, 1), message('c9', 0, 9), message('d5', 0, 5), message('e1', 0, 1)]);
    await p.resume();
    await expect.poll(() => seen.map((j) => j.id)).toEqual(['b1', 'e1', 'd5']);
    await p.stop(AbortSignal.timeout(1000));
    const seenAgain: DeliveredJob[] = [];
    const q = await driver.open({ pipeline: 'p', config: {}, priority: 10, prefetch: 10, logger: recordingLogger(), deliver: (j) => void seenAgain.push(j) });
    await q.resume();
    await expect.poll(() => seenAgain.map((j) => j.id)).toEqual(['b1', 'e1', 'd5', 'a9', 'c9']);
  });

  it('keeps its own copy of pushed bytes', async () => {
    const seen: DeliveredJob[] = [];
    const p = await open(undefined, (j) => void seen.push(j));
    const m = message('1');
    await p.push([m]);
    m.payload[0] = 99;
    await p.resume();
    expect([...(seen[0]?.payload ?? [])]).toEqual([1, 2]);
  });

  it('refuses pushes after stop, and destroy cancels pending delays', async () => {
    const driver = createMemoryJobsDriver();
    const p = await open(driver);
    await p.push([message('d', 60_000)]);
    await p.stop(AbortSignal.timeout(1000));
    await expect(p.push([message('x')])).rejects.toMatchObject({ code: 'RR_ERR_MEMORY_PIPELINE_STOPPED' });
    const again = await open(driver);
    expect((await again.stat()).delayed).toBe(1);
    await again.destroy(AbortSignal.timeout(1000));
    expect((await (await open(driver)).stat()).delayed).toBe(0);
  });
});
