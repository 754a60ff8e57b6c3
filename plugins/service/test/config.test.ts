import { loadConfigText } from '@rr/config';
import { endpointsProbe, startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { serviceConfigSchema, servicePlugin } from '../src/index.js';
import { startFailure } from './helpers.js';

async function section(yaml: string): Promise<Record<string, unknown>> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: { WORKERS: '3' } })).sections.service as Record<string, unknown>;
}

const defaults = { process_num: 1, exec_timeout: 0, remain_after_exit: false, restart_sec: 30_000, timeout_stop_sec: 5_000, service_name_in_log: false, env: {}, user: '' };

describe('service config schema', () => {
  it.each([
    ['a command alone, with RoadRunner’s defaults', 'service: { a: { command: "php worker.php" } }', { command: 'php worker.php', ...defaults }],
    [
      'every key',
      'service:\n  a:\n    command: sleep 1\n    process_num: 2\n    exec_timeout: 1m30s\n    remain_after_exit: true\n    restart_sec: 10\n    timeout_stop_sec: 2\n    service_name_in_log: true\n    env: { app_env: prod, n: 4 }\n    user: nobody',
      { command: 'sleep 1', process_num: 2, exec_timeout: 90_000, remain_after_exit: true, restart_sec: 10_000, timeout_stop_sec: 2_000, service_name_in_log: true, env: { APP_ENV: 'prod', N: '4' }, user: 'nobody' },
    ],
    ['Go durations in the seconds keys', 'service: { a: { command: x, restart_sec: 250ms, timeout_stop_sec: 1m } }', { command: 'x', ...defaults, restart_sec: 250, timeout_stop_sec: 60_000 }],
    ['zeros, which mean the defaults', 'service: { a: { command: x, process_num: 0, restart_sec: 0, timeout_stop_sec: 0 } }', { command: 'x', ...defaults }],
    ['values from ${ENV} (strings)', 'service: { a: { command: x, process_num: "${WORKERS}", remain_after_exit: "true" } }', { command: 'x', ...defaults, process_num: 3, remain_after_exit: true }],
    ['env as RoadRunner’s list of maps', 'service: { a: { command: x, env: [ { a: 1 }, { b: two } ] } }', { command: 'x', ...defaults, env: { A: '1', B: 'two' } }],
  ])('accepts %s', async (_name, yaml, expected) => {
    expect(serviceConfigSchema.parse(await section(yaml))).toEqual({ a: expected });
  });

  it.each([
    ['a missing command', 'service: { web: { process_num: 2 } }', 'service.web.command', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['an empty command', 'service: { web: { command: "" } }', 'service.web.command', 'RR_ERR_CONFIG_TOO_SMALL'],
    ['an unknown key', 'service: { web: { command: x, restart: always } }', 'service.web.restart', 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS'],
    ['a negative process_num', 'service: { web: { command: x, process_num: -1 } }', 'service.web.process_num', 'RR_ERR_CONFIG_TOO_SMALL'],
    ['a malformed exec_timeout', 'service: { web: { command: x, exec_timeout: soon } }', 'service.web.exec_timeout', 'RR_ERR_CONFIG_INVALID_FORMAT'],
    ['a negative restart_sec', 'service: { web: { command: x, restart_sec: -5 } }', 'service.web.restart_sec', 'RR_ERR_CONFIG_TOO_SMALL'],
    ['a remain_after_exit that is no boolean', 'service: { web: { command: x, remain_after_exit: sometimes } }', 'service.web.remain_after_exit', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['an env value that is a list', 'service: { web: { command: x, env: { paths: [a, b] } } }', 'service.web.env.paths', 'RR_ERR_CONFIG_INVALID_TYPE'],
    ['a service that is no map', 'service: { web: "php worker.php" }', 'service.web', 'RR_ERR_CONFIG_INVALID_TYPE'],
  ])('the kernel refuses %s with its dotted path', async (_name, yaml, path, code) => {
    const err = await startFailure(await section(yaml));
    expect(err.code).toBe('RR_ERR_KERNEL_CONFIG_INVALID');
    expect(err.details.issues).toEqual([expect.objectContaining({ path, code })]);
  });

  it('describes every key in the generated JSON Schema and requires command', () => {
    const json = z.toJSONSchema(serviceConfigSchema, { io: 'input', unrepresentable: 'any' }) as {
      additionalProperties: { required: string[]; properties: Record<string, { description?: string }> };
    };
    expect(json.additionalProperties.required).toEqual(['command']);
    expect(Object.keys(json.additionalProperties.properties)).toHaveLength(9);
    expect(Object.values(json.additionalProperties.properties).every((p) => typeof p.description === 'string')).toBe(true);
  });
});

describe('service section absent', () => {
  it('disables the plugin: no endpoint, nothing started', async () => {
    const probe = endpointsProbe();
    const t = await startTestKernel({ plugins: [servicePlugin, probe.plugin], config: {} });
    try {
      expect(t.kernel.report().find((r) => r.id === 'service')).toMatchObject({ state: 'disabled' });
      expect(probe.endpoints()).toEqual([]);
    } finally {
      await t.stop();
    }
  });
});

describe('service section empty', () => {
  it.each([
    ['an empty map', 'service: {}\n'],
    ['nothing under it', 'service:\n'],
  ])('%s: the plugin serves with no services and provides the RPC', async (_name, yaml) => {
    const probe = endpointsProbe();
    const t = await startTestKernel({ plugins: [servicePlugin, probe.plugin], config: (await loadConfigText(`version: "3"\n${yaml}`, { env: {} })).sections });
    try {
      expect(t.kernel.report().find((r) => r.id === 'service')).toMatchObject({ state: 'serving' });
      expect(probe.endpoints().map((e) => e.namespace)).toEqual(['service']);
    } finally {
      await t.stop();
    }
  });
});
