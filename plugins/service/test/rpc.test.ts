import { CODEC_JSON } from '@rr/goridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, fixture, isAlive, outputLines, startService, until, type ServiceHarness } from './helpers.js';

describe('service over goridge RPC', () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await startService({ configured: { command: 'sleep 1000', process_num: 2 } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves RoadRunner’s six methods and nothing else', async () => {
    expect(await h.fail('Update', encode('Service', { name: 'x' }))).toBe("rpc: can't find method service.Update");
    expect(await h.list()).toEqual(['configured']);
  });

  it('Create starts process_num processes; List, Statuses and Status show them; Terminate stops them', async () => {
    expect(await h.create({ name: 'created', command: 'sleep 1002', process_num: 2, env: { a: 'b' } })).toEqual({ ok: true, message: '' });
    expect(await h.list()).toEqual(['configured', 'created']);
    const statuses = await h.statuses('created');
    expect(statuses).toHaveLength(2);
    for (const s of statuses) {
      expect(s).toMatchObject({ command: 'sleep 1002', status: null });
      expect(isAlive(s.pid)).toBe(true);
      expect(s.memory_usage).toBeGreaterThan(0);
      expect(s.cpu_percent).toBeGreaterThanOrEqual(0);
    }
    // The deprecated Status answers one process: the last.
    expect((await h.status('created')).pid).toBe(statuses[1]?.pid);

    expect(await h.manage('Terminate', 'created')).toEqual({ ok: true, message: '' });
    expect(statuses.map((s) => s.pid).filter(isAlive)).toEqual([]);
    expect(await h.list()).toEqual(['configured']);
  });

  it('Restart replaces every process of a service, configured ones too', async () => {
    const before = (await h.statuses('configured')).map((s) => s.pid);
    expect(await h.manage('Restart', 'configured')).toEqual({ ok: true, message: '' });
    const after = (await h.statuses('configured')).map((s) => s.pid);
    expect(after).toHaveLength(2);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(before.filter(isAlive)).toEqual([]);
  });

  it('Create takes seconds and the logging flag: exec_timeout kills, service_name_in_logs tags the output', async () => {
    await h.create({ name: 'timed', command: `sh ${fixture('stubborn-child.sh')}`, process_num: 1, exec_timeout: 1, service_name_in_logs: true });
    await until(() => outputLines(h, /^child \d+$/).find((l) => l.fields.service === 'timed'), 'tagged output');
    await until(() => h.t.logger.find('service process exited').find((l) => l.fields.name === 'timed'), 'the exec_timeout kill', 4_000);
    // An exited process still has its status, with the reason in status.
    const [status] = await h.statuses('timed');
    expect(status).toMatchObject({ command: `sh ${fixture('stubborn-child.sh')}`, cpu_percent: 0, memory_usage: 0, status: { code: 0, message: 'process does not exist' } });
    // exec_timeout kills the group, so the child that ignores SIGINT is gone too.
    const child = Number(outputLines(h, /^child \d+$/).find((l) => l.fields.service === 'timed')?.message.split(' ')[1]);
    await until(() => !isAlive(child), 'the child to die');
    await h.manage('Terminate', 'timed');
  });

  it.each([
    ['Create of an existing name', 'Create', () => encode('Create', { name: 'configured', command: 'sleep 1', process_num: 1 }), 'RR_ERR_SERVICE_ALREADY_EXISTS: the service with configured name already exists'],
    ['Create without processes', 'Create', () => encode('Create', { name: 'none', command: 'sleep 1' }), 'RR_ERR_SERVICE_NO_PROCESSES: the service with none name should have at least 1 process'],
    ['Terminate of an unknown name', 'Terminate', () => encode('Service', { name: 'ghost' }), "RR_ERR_SERVICE_NOT_FOUND: the service with ghost name doesn't exist"],
    ['Restart of an unknown name', 'Restart', () => encode('Service', { name: 'ghost' }), "RR_ERR_SERVICE_NOT_FOUND: the service with ghost name doesn't exist"],
    ['Status of an unknown name', 'Status', () => encode('Service', { name: 'ghost' }), "RR_ERR_SERVICE_NOT_FOUND: the service with ghost name doesn't exist"],
    ['Statuses of an unknown name', 'Statuses', () => encode('Service', { name: 'ghost' }), "RR_ERR_SERVICE_NOT_FOUND: the service with ghost name doesn't exist"],
    ['a malformed message', 'Statuses', () => Buffer.from([0x0a, 0x09, 0x61]), /^RR_ERR_SERVICE_BAD_REQUEST: service\.Statuses: malformed service\.v1 message/],
  ])('answers %s with a coded error', async (_name, method, body, text) => {
    const got = await h.fail(method, body());
    if (typeof text === 'string') expect(got).toBe(text);
    else expect(got).toMatch(text);
  });

  it('refuses the JSON codec', async () => {
    expect(await h.fail('List', Buffer.from('{}'), CODEC_JSON)).toBe('RR_ERR_SERVICE_UNSUPPORTED_CODEC: service.List takes the protobuf codec, got JSON');
  });

  it('Create of a command that cannot run fails and registers nothing', async () => {
    expect(await h.fail('Create', encode('Create', { name: 'broken', command: '/nonexistent/program', process_num: 2 }))).toMatch(
      /^RR_ERR_SERVICE_START_FAILED: cannot start service broken \(\/nonexistent\/program\): spawn \/nonexistent\/program ENOENT/,
    );
    expect(await h.list()).toEqual(['configured']);
  });
});
