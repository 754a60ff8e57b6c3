import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RrError as ErrorsRrError, declaredErrorCodes } from '@rr/errors';
import { defineErrors, isRrError, KERNEL_VERSION, kernelErrors, kernelWarnings, RrError } from '../src/index.js';
import { internalError, startupError, stopError, summarize } from '../src/errors.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('errors', () => {
  it('declares exactly the kernel catalogue, every code under RR_ERR_KERNEL_', () => {
    expect(Object.values(kernelErrors).map((factory) => factory.code)).toEqual([
      'RR_ERR_KERNEL_INVALID_OPTIONS',
      'RR_ERR_KERNEL_INVALID_PLUGIN_ID',
      'RR_ERR_KERNEL_INVALID_PLUGIN',
      'RR_ERR_KERNEL_DUPLICATE_PLUGIN',
      'RR_ERR_KERNEL_VERSION_MISMATCH',
      'RR_ERR_KERNEL_MISSING_PROVIDER',
      'RR_ERR_KERNEL_DUPLICATE_PROVIDER',
      'RR_ERR_KERNEL_CYCLE',
      'RR_ERR_KERNEL_CONFIG_INVALID',
      'RR_ERR_KERNEL_NEED_DISABLED',
      'RR_ERR_KERNEL_UNDECLARED_REF',
      'RR_ERR_KERNEL_PROVIDES_MISMATCH',
      'RR_ERR_KERNEL_INIT_FAILED',
      'RR_ERR_KERNEL_SERVE_FAILED',
      'RR_ERR_KERNEL_STOP_FAILED',
      'RR_ERR_KERNEL_STOP_TIMEOUT',
      'RR_ERR_KERNEL_STARTUP',
      'RR_ERR_KERNEL_START_ABORTED',
      'RR_ERR_KERNEL_INVALID_STATE',
    ]);
    expect(declaredErrorCodes().filter((code) => code.startsWith('RR_ERR_KERNEL_'))).toHaveLength(Object.keys(kernelErrors).length);
  });

  it('documents every code and warning in the README errors table', () => {
    const codes = [...Object.values(kernelErrors).map((factory) => factory.code), 'RR_ERR_INTERNAL', kernelWarnings.UNKNOWN_SECTION];
    for (const code of codes) expect(readme, code).toContain(`| \`${code}\` |`);
  });

  it('re-exports the one RrError class so plugins need only @rr/kernel', () => {
    expect(RrError).toBe(ErrorsRrError);
    const pluginErrors = defineErrors('KERNEL_TEST', { BROKEN: { message: (what: string) => `${what} is broken` } });
    const err = pluginErrors.BROKEN('the probe', { plugin: 'probe' });
    expect(isRrError(err, 'RR_ERR_KERNEL_TEST_BROKEN')).toBe(true);
    expect(err.toJSON()).toEqual({ code: 'RR_ERR_KERNEL_TEST_BROKEN', message: 'the probe is broken', plugin: 'probe' });
  });

  it('carries hints that say what to do', () => {
    expect(kernelErrors.CYCLE('a -> b -> a').hint).toMatch(/break the cycle/);
    expect(kernelErrors.MISSING_PROVIDER('http', 'server.poolFactory').hint).toMatch(/add the plugin/);
  });

  it('marks invariant violations as bugs under RR_ERR_INTERNAL', () => {
    const cause = new Error('impossible');
    expect(internalError('serve order lost a plugin', cause)).toMatchObject({
      code: 'RR_ERR_INTERNAL',
      message: 'kernel invariant violated: serve order lost a plugin; this is a bug',
      cause,
    });
  });

  it('passes a single startup failure through and aggregates several', () => {
    const one = kernelErrors.CYCLE('a -> a');
    expect(startupError([one])).toBe(one);
    const two = startupError([one, kernelErrors.INIT_FAILED('kv', 'boom', { plugin: 'kv' })]);
    expect(two).toMatchObject({ code: 'RR_ERR_KERNEL_STARTUP', details: { errors: [one, { plugin: 'kv' }] } });
    expect(JSON.parse(JSON.stringify(two))).toMatchObject({ details: { errors: [{ code: 'RR_ERR_KERNEL_CYCLE' }, { code: 'RR_ERR_KERNEL_INIT_FAILED' }] } });
    expect(stopError([kernelErrors.STOP_TIMEOUT('kv', 50, { plugin: 'kv' })]).message).toBe(
      "1 plugin failed to stop: \n  - RR_ERR_KERNEL_STOP_TIMEOUT (kv): plugin 'kv' did not stop within 50 ms; moving on",
    );
  });

  it('describes foreign failures in one line', () => {
    expect(summarize(kernelErrors.DUPLICATE_PLUGIN('kv'))).toBe("RR_ERR_KERNEL_DUPLICATE_PLUGIN: plugin 'kv' is registered twice");
    expect(summarize(new TypeError('x is undefined'))).toBe('x is undefined');
    expect(summarize(42)).toBe('42');
  });

  it('keeps KERNEL_VERSION in step with package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(KERNEL_VERSION).toBe(pkg.version);
  });
});
