import { loadConfigText } from '@rr/config';
import { isRrError, type RrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { describe, expect, it } from 'vitest';
import { greeterConfigSchema, greeterPlugin } from '../src/index.js';

async function section(yaml: string): Promise<unknown> {
  return (await loadConfigText(`version: "3"\n${yaml}`, { env: { MAX: '12' } })).sections.greeter;
}

async function issues(yaml: string) {
  const loaded = await loadConfigText(`version: "3"\n${yaml}`, { env: {} });
  const err = await startTestKernel({ plugins: [greeterPlugin], config: loaded.sections }).catch((e: unknown) => e);
  expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
  return ((err as RrError).details.issues as { path: string; code: string }[]).map(({ path, code }) => ({ path, code }));
}

describe('greeter config: accepted', () => {
  it.each([
    ['an empty section: every default', 'greeter: {}', { greeting: 'Hello, {name}!', default_name: 'world', max_name_length: 64, remember: 1000 }],
    ['a section with nothing under it', 'greeter:', { greeting: 'Hello, {name}!' }],
    ['a greeting with {count}', 'greeter: { greeting: "Hi {name} (#{count})" }', { greeting: 'Hi {name} (#{count})' }],
    ['${VAR} in a number', 'greeter: { max_name_length: "${MAX}" }', { max_name_length: 12 }],
  ])('%s', async (_name, yaml, expected) => {
    expect(greeterConfigSchema.parse((await section(yaml)) ?? {})).toMatchObject(expected);
  });
});

describe('greeter config: rejected, with the kernel code and dotted paths', () => {
  it.each([
    ['a greeting without {name}', 'greeter: { greeting: "Hello!" }', [{ path: 'greeter.greeting', code: 'RR_ERR_CONFIG_CUSTOM' }]],
    ['an empty default name', 'greeter: { default_name: "" }', [{ path: 'greeter.default_name', code: 'RR_ERR_CONFIG_TOO_SMALL' }]],
    ['max_name_length 0', 'greeter: { max_name_length: 0 }', [{ path: 'greeter.max_name_length', code: expect.stringMatching(/^RR_ERR_CONFIG_/) }]],
    ['remember that is not a number', 'greeter: { remember: lots }', [{ path: 'greeter.remember', code: expect.stringMatching(/^RR_ERR_CONFIG_/) }]],
    ['an unknown key', 'greeter: { greetings: "x" }', [{ path: 'greeter.greetings', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' }]],
  ])('%s', async (_name, yaml, expected) => {
    expect(await issues(yaml)).toEqual(expected);
  });
});
