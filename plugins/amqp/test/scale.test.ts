import { afterAll, describe, expect, it } from 'vitest';
import { message, Names, openPipeline, until } from './helpers.js';

describe('two pipelines on one queue (two rr instances)', () => {
  const names = new Names();
  afterAll(() => names.cleanup());

  it('share the work: every job delivered once, to one of them', async () => {
    const cfg = names.next();
    // Acks after a tick, so the broker's round robin keeps both busy.
    const ackSoon = (job: { ack(): Promise<void> }) => void setTimeout(() => void job.ack(), 2);
    const a = await openPipeline(cfg, { name: 'a', prefetch: 5, deliver: ackSoon });
    const b = await openPipeline(cfg, { name: 'b', prefetch: 5, deliver: ackSoon });
    try {
      await Promise.all([a.pipeline.resume(), b.pipeline.resume()]);
      const sent = Array.from({ length: 200 }, () => message());
      await a.pipeline.push(sent.slice(0, 100));
      await b.pipeline.push(sent.slice(100));
      const delivered = () => [...a.jobs, ...b.jobs].map((j) => j.id);
      await until(() => new Set(delivered()).size === sent.length, 10_000, 'every job delivered');
      await until(async () => {
        const [sa, sb] = [await a.pipeline.stat(), await b.pipeline.stat()];
        return sa.active + sa.reserved + sb.reserved === 0;
      }, 5000, 'all acked');
      expect(delivered()).toHaveLength(sent.length);
      expect(new Set(delivered())).toEqual(new Set(sent.map((m) => m.id)));
      expect(a.jobs.length).toBeGreaterThan(20);
      expect(b.jobs.length).toBeGreaterThan(20);
    } finally {
      await a.pipeline.stop(AbortSignal.timeout(2000));
      await b.pipeline.stop(AbortSignal.timeout(2000));
    }
  });
});
