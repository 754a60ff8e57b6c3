import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deliveries, jobsCli, jobsConfig, push, undelivered } from '../../helpers/jobs.js';
import { startRr, type RrProcess } from '../../helpers/rr.js';

const running: RrProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const rr of running.splice(0)) {
    // Broker queues are removed with their pipelines (delete_queue_on_stop), so none is left behind.
    const names = rr.child.exitCode === null ? ((await jobsCli(rr, 'list').catch(() => [])) as string[]) : [];
    if (names.length > 0) await jobsCli(rr, 'destroy', ...names).catch(() => undefined);
    await rr.stop();
  }
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-jobs-'));
  dirs.push(dir);
  return dir;
};
const unique = () => randomBytes(5).toString('hex');

/**
 * Every driver the same way: a pipeline's `config:` block (YAML lines, indented for `config:`), given
 * a unique name per test so broker queues and streams never collide.
 */
interface DriverCase {
  driver: string;
  config: (name: string, dir: string) => string;
}

const DRIVERS: DriverCase[] = [
  { driver: 'memory', config: () => '' },
  { driver: 'boltdb', config: (name, dir) => `        file: ${join(dir, `${name}.db`)}\n` },
  // A queue and exchange of its own per pipeline on the machine's RabbitMQ, deleted with the pipeline.
  {
    driver: 'amqp',
    config: (name) =>
      `        queue: rr-e2e-${name}\n        exchange: rr-e2e-${name}\n        routing_key: ${name}\n        delete_queue_on_stop: true\n`,
  },
  // A JetStream stream and subject of their own per pipeline, deleted with the pipeline.
  { driver: 'nats', config: (name) => `        stream: rr-e2e-${name}\n        subject: rr-e2e.${name}\n        delete_stream_on_stop: true\n        ack_wait: 3s\n` },
  // A stream of its own per pipeline on the machine's Redis, deleted with the pipeline.
  { driver: 'redis', config: (name) => `        stream: rr-e2e-jobs-${name}\n        delete_stream_on_stop: true\n        visibility_timeout: 2s\n` },
];

function pipeline(name: string, c: DriverCase, dir: string, extra = ''): string {
  const config = c.config(name, dir) + extra;
  return `    ${name}:\n      driver: ${c.driver}\n${config === '' ? '' : `      config:\n${config}`}`;
}

async function start(config: string): Promise<RrProcess> {
  const rr = await startRr({ config });
  running.push(rr);
  return rr;
}

describe.each(DRIVERS)('jobs e2e: $driver driver with PHP consumers', (c) => {
  it('delivers and acks; nack drops; nack with redelivery and requeue come back after their delay', async () => {
    const dir = tempDir();
    const log = join(dir, 'jobs.log');
    const name = `p${unique()}`;
    const rr = await start(jobsConfig({ log, consume: [name], pipelines: pipeline(name, c, dir) }));

    const acked = await push(rr, name, 5);
    await expect.poll(() => undelivered(log, acked), { timeout: 15_000 }).toEqual([]);

    const [nacked] = await push(rr, name, 1, { do: 'nack' });
    const requeued = await push(rr, name, 1, { do: 'requeue', delay: 1, times: 1 });
    const pushedAt = Date.now();
    await expect.poll(() => deliveries(log).filter((d) => d.id === requeued[0]).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    // The requeue asked for 1 s: the second delivery is not early.
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(900);
    // A plain nack is not redelivered (checked after the requeued job came back, so time has passed).
    expect(deliveries(log).filter((d) => d.id === nacked).length).toBe(1);
    expect(deliveries(log).filter((d) => acked.includes(d.id as string)).length).toBe(5);
  });

  it('honours priority: with one busy worker, waiting jobs run lowest number first', async () => {
    const dir = tempDir();
    const log = join(dir, 'jobs.log');
    const name = `p${unique()}`;
    const rr = await start(jobsConfig({ log, consume: [], workers: 1, pipelines: pipeline(name, c, dir) }));
    // Paused (not in consume): everything is queued before the first dispatch; each job holds the only
    // worker for 150 ms, so the others are waiting in rr when the next one is picked.
    const low = await push(rr, name, 4, { do: 'sleep', ms: 150 }, '--priority', '9', '--name', 'low');
    const high = await push(rr, name, 4, { do: 'sleep', ms: 150 }, '--priority', '1', '--name', 'high');
    await jobsCli(rr, 'resume', name);
    await expect.poll(() => undelivered(log, [...low, ...high]), { timeout: 15_000 }).toEqual([]);
    const order = deliveries(log).map((d) => d.name);
    // Drivers that keep their queue by priority (memory, boltdb) start with a high job; a broker hands
    // jobs over in its own order, so the first may be whichever arrived while the worker was idle.
    const from = order[0] === 'high' ? 0 : 1;
    expect(order.slice(from, from + 4)).toEqual(['high', 'high', 'high', 'high']);
    expect(order.slice(from + 4).every((n) => n === 'low')).toBe(true);
    if (c.driver === 'memory' || c.driver === 'boltdb') expect(order[0]).toBe('high');
  });

  it('pause, resume, declare and destroy at runtime', async () => {
    const dir = tempDir();
    const log = join(dir, 'jobs.log');
    const name = `p${unique()}`;
    const rr = await start(jobsConfig({ log, consume: [name], pipelines: pipeline(name, c, dir) }));
    await jobsCli(rr, 'pause', name);
    const ids = await push(rr, name, 3);
    const stat = (await jobsCli(rr, 'stat')) as { pipeline: string; ready: boolean; active: number }[];
    expect(stat.find((s) => s.pipeline === name)).toMatchObject({ ready: false });
    expect(deliveries(log)).toEqual([]);
    await jobsCli(rr, 'resume', name);
    await expect.poll(() => undelivered(log, ids), { timeout: 15_000 }).toEqual([]);

    const declared = `d${unique()}`;
    const map: Record<string, string> = { name: declared, driver: c.driver, priority: '3' };
    if (c.driver === 'boltdb') map.file = join(dir, `${declared}.db`);
    if (c.driver === 'nats') Object.assign(map, { stream: `rr-e2e-${declared}`, subject: `rr-e2e.${declared}`, delete_stream_on_stop: 'true' });
    if (c.driver === 'redis') Object.assign(map, { stream: `rr-e2e-jobs-${declared}`, delete_stream_on_stop: 'true' });
    if (c.driver === 'amqp') Object.assign(map, { queue: `rr-e2e-${declared}`, exchange: `rr-e2e-${declared}`, routing_key: declared, delete_queue_on_stop: 'true' });
    await jobsCli(rr, 'declare', JSON.stringify(map));
    expect(await jobsCli(rr, 'list')).toEqual(expect.arrayContaining([name, declared]));
    await jobsCli(rr, 'resume', declared);
    const more = await push(rr, declared, 2);
    await expect.poll(() => undelivered(log, more), { timeout: 15_000 }).toEqual([]);
    expect(await jobsCli(rr, 'destroy', declared)).toEqual([declared]);
    expect(await jobsCli(rr, 'list')).not.toContain(declared);
  });

  it('a job whose worker dies is retried up to max_attempts, then lands in the dead-letter pipeline', async () => {
    const dir = tempDir();
    const log = join(dir, 'jobs.log');
    const name = `p${unique()}`;
    const dead = `dead${unique()}`;
    const pipelines = pipeline(name, c, dir, `        max_attempts: 3\n        retry_delay: 100ms\n        dead_letter: ${dead}\n`) + pipeline(dead, c, dir);
    const rr = await start(jobsConfig({ log, consume: [name], pipelines }));
    const [poison] = await push(rr, name, 1, { do: 'crash' });
    const fine = await push(rr, name, 3);
    await expect.poll(() => deliveries(log).filter((d) => d.id === poison).map((d) => d.attempt), { timeout: 20_000 }).toEqual([0, 1, 2]);
    await expect
      .poll(async () => ((await jobsCli(rr, 'stat')) as { pipeline: string; active: number }[]).find((s) => s.pipeline === dead)?.active, { timeout: 10_000 })
      .toBe(1);
    // Never a fourth attempt, and the healthy jobs were not held up by the poison one.
    expect(deliveries(log).filter((d) => d.id === poison)).toHaveLength(3);
    expect(undelivered(log, fine)).toEqual([]);
    expect(rr.logs.some((l) => l.msg.includes('dead') || l.level === 'error')).toBe(true);
  });
});

describe.each(DRIVERS.filter((c) => c.driver !== 'memory'))('jobs e2e: no loss when rr is SIGKILLed ($driver)', (c) => {
  it('every pushed job is processed at least once after a restart', async () => {
    const dir = tempDir();
    const log = join(dir, 'jobs.log');
    const name = `p${unique()}`;
    // A fixed consumer name: the restarted rr is the same consumer and re-reads its own pending jobs at
    // once (redis); amqp's queue must survive the broker connection of the killed rr (durable).
    const extra = c.driver === 'amqp' ? '        durable: true\n' : c.driver === 'redis' ? `        consumer: rr-e2e-${name}\n` : '';
    const config = jobsConfig({ log, consume: [name], pipelines: pipeline(name, c, dir, extra) });
    const first = await start(config);
    const ids = await push(first, name, 40, { do: 'sleep', ms: 60 }, '--batch');
    // Kill while PHP consumers are busy: some jobs acked, some in flight, most still queued.
    await expect.poll(() => deliveries(log).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(6);
    first.child.kill('SIGKILL');
    await first.exited;
    running.splice(running.indexOf(first), 1);
    expect(undelivered(log, ids).length).toBeGreaterThan(0);

    await start(config);
    await expect.poll(() => undelivered(log, ids), { timeout: 30_000, interval: 250 }).toEqual([]);
    const counts = new Map<string, number>();
    for (const d of deliveries(log)) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
    // At least once for all; twice only for what rr held at the kill (in flight or prefetched, unacked).
    const twice = [...counts.values()].filter((n) => n > 1).length;
    expect(twice).toBeLessThanOrEqual(c.driver === 'boltdb' ? 4 : 12);
  });
});

describe('jobs e2e: scale out on one RabbitMQ pipeline', () => {
  it('two rr instances share the work: every job processed once', async () => {
    const dir = tempDir();
    const name = `p${unique()}`;
    const amqp = DRIVERS.find((c) => c.driver === 'amqp') as DriverCase;
    const logs = [join(dir, 'a.log'), join(dir, 'b.log')];
    const instances = [];
    for (const log of logs) instances.push(await start(jobsConfig({ log, consume: [name], workers: 1, pipelines: pipeline(name, amqp, dir, '        prefetch: 2\n') })));
    const ids = await push(instances[0] as RrProcess, name, 60, { do: 'sleep', ms: 20 }, '--batch');
    const all = () => logs.flatMap((log) => deliveries(log));
    await expect.poll(() => ids.filter((id) => !all().some((d) => d.id === id)), { timeout: 30_000, interval: 250 }).toEqual([]);
    expect(all()).toHaveLength(60);
    const [a, b] = logs.map((log) => deliveries(log).length);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });
});
