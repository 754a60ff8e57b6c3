import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, isAlive, outputLines, startFailure, startService, until, type ServiceHarness } from './helpers.js';

let h: ServiceHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const pidsOf = (h: ServiceHarness) => h.workers().workers().map((w) => w.pid);
const startedPids = (h: ServiceHarness) => outputLines(h, /^started \d+$/).map((l) => Number(l.message.split(' ')[1]));

describe('service plugin lifecycle', () => {
  it('starts process_num copies of each service at serve, each in a process group of its own, shown as workers', async () => {
    h = await startService({ sleepers: { command: 'sleep 1000', process_num: 3 }, single: { command: 'sleep 1001' } });
    const workers = h.workers().workers();
    expect(workers).toHaveLength(4);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(4);
    for (const w of workers) {
      expect(isAlive(w.pid)).toBe(true);
      expect(w).toMatchObject({ statusStr: 'ready', command: expect.stringMatching(/^sleep 100[01]$/) as unknown });
      expect(w.memoryUsage).toBeGreaterThan(0);
      // setsid: the process leads its own group, so group signals cannot reach rr.
      expect(pgrpOf(w.pid)).toBe(w.pid);
    }
    expect(h.t.logger.find('service was started').map((l) => l.fields)).toEqual([
      { name: 'sleepers', command: 'sleep 1000', process_num: 3 },
      { name: 'single', command: 'sleep 1001', process_num: 1 },
    ]);
  });

  it('logs each stdout and stderr line at info, trimmed, with service=<name> when service_name_in_log is set; env is added and expanded', async () => {
    process.env.RR_SERVICE_TEST_WHO = 'world';
    h = await startService({
      named: { command: `sh ${fixture('lines.sh')}`, service_name_in_log: true, env: { greeting: 'hello $RR_SERVICE_TEST_WHO' } },
      plain: { command: `php ${fixture('hello.php')}` },
    });
    const named = await until(() => {
      const lines = h?.lines().filter((l) => l.fields.service === 'named' && l.level === 'info');
      return lines !== undefined && lines.length === 5 && lines;
    }, 'five lines of named');
    expect(named.map((l) => l.message)).toEqual(expect.arrayContaining(['hello out', 'hello err', 'padded line', 'greeting=hello world', 'tail without newline']));
    expect(named.every((l) => l.channel === 'service')).toBe(true);
    await until(() => outputLines(h as ServiceHarness, /^php /).length === 2, 'php output');
    expect(outputLines(h, /^php /).map((l) => [l.message, l.fields])).toEqual(
      expect.arrayContaining([
        ['php says hello', {}],
        ['php warns', {}],
      ]),
    );
  });

  it('restarts a process after restart_sec, after any exit, when remain_after_exit is set', async () => {
    h = await startService({ flaky: { command: `sh ${fixture('exits.sh')}`, remain_after_exit: true, restart_sec: '300ms' } });
    const started = Date.now();
    await until(() => startedPids(h as ServiceHarness).length >= 3, 'two restarts');
    // Two restart_sec delays (600 ms) since the first exit, which may precede `started` by a little.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(new Set(startedPids(h)).size).toBe(startedPids(h).length);
    expect(h.t.logger.find('service process exited', 'warn')[0]?.fields).toMatchObject({ name: 'flaky', exit_code: 3 });
  });

  it('does not restart a process that exits without remain_after_exit', async () => {
    h = await startService({ once: { command: `sh ${fixture('exits.sh')}`, restart_sec: '100ms' } });
    await until(() => h?.t.logger.find('service process exited').length === 1, 'the exit');
    // Absence can only be shown by waiting: several restart_sec long.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(startedPids(h)).toHaveLength(1);
    expect(h.workers().workers()).toEqual([]);
  });

  it('kills a process (and its group) once exec_timeout has passed', async () => {
    h = await startService({ bounded: { command: 'sleep 1000', exec_timeout: '300ms' } });
    const [worker] = h.workers().workers();
    const exit = await until(() => h?.t.logger.find('service process exited')[0], 'the kill');
    // Measured from the spawn: startup on a busy machine may eat part of the 300 ms before the test runs.
    expect(Date.now() - (worker?.created ?? 0) / 1e6).toBeGreaterThanOrEqual(290);
    const pid = worker?.pid;
    expect(exit.fields).toMatchObject({ name: 'bounded', pid, signal: 'SIGKILL' });
    expect(h.t.logger.find('exec_timeout reached', 'warn')).toHaveLength(1);
  });

  it('stops with SIGINT: well-behaved processes end at once, well before timeout_stop_sec', async () => {
    h = await startService({ sleepers: { command: 'sleep 1000', process_num: 2, timeout_stop_sec: 5 } });
    const pids = pidsOf(h);
    const started = Date.now();
    await h.close();
    h = undefined;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('SIGKILLs the whole group after timeout_stop_sec when a child ignores SIGINT and SIGTERM', async () => {
    h = await startService({ stubborn: { command: `sh ${fixture('stubborn-child.sh')}`, timeout_stop_sec: '400ms', remain_after_exit: true, restart_sec: '50ms' } });
    const child = Number((await until(() => outputLines(h as ServiceHarness, /^child \d+$/)[0], 'the child pid')).message.split(' ')[1]);
    expect(isAlive(child)).toBe(true);
    const started = Date.now();
    await h.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(3_000);
    expect(isAlive(child)).toBe(false);
    // Stopping is final: remain_after_exit does not bring it back.
    expect(h.t.logger.find('service process restarted')).toEqual([]);
    expect(h.t.logger.find('did not stop in time', 'warn')[0]?.fields).toMatchObject({ name: 'stubborn' });
    h = undefined;
  });

  it('rr reset restarts every service with new processes', async () => {
    h = await startService({ a: { command: 'sleep 1000', process_num: 2 }, b: { command: 'sleep 1001' } });
    const before = pidsOf(h);
    await h.reset();
    const after = pidsOf(h);
    expect(after).toHaveLength(3);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(before.filter(isAlive)).toEqual([]);
  });

  it('fails to start when a command cannot be run, naming the service', async () => {
    const err = await startFailure({ good: { command: 'sleep 1000' }, broken: { command: '/nonexistent/program --flag' } });
    expect(err.code).toMatch(/^RR_ERR_KERNEL_/);
    expect(causes(err)).toContainEqual(expect.objectContaining({ code: 'RR_ERR_SERVICE_START_FAILED' }));
  });

  it.skipIf(process.getuid?.() !== 0)('runs the command as user', async () => {
    h = await startService({ who: { command: 'id -u', user: 'nobody' } });
    await until(() => outputLines(h as ServiceHarness, /^\d+$/)[0], 'the uid');
    expect(outputLines(h, /^\d+$/)[0]?.message).toBe('65534');
  });
});

function pgrpOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

function causes(err: unknown): { code?: string }[] {
  const out: { code?: string }[] = [];
  const walk = (e: unknown) => {
    if (typeof e !== 'object' || e === null) return;
    out.push(e as { code?: string });
    const { cause, details } = e as { cause?: unknown; details?: { errors?: unknown[] } };
    walk(cause);
    for (const inner of details?.errors ?? []) walk(inner);
  };
  walk(err);
  return out;
}
