import { describe, expect, it } from 'vitest';
import { RrError, defineErrors, isRrError, declaredErrorCodes } from '../src/index.js';

const demo = defineErrors('DEMO', {
  NO_THING: { message: (name: string) => `no thing named ${name}`, hint: 'declare it first' },
  BROKEN: { message: () => 'it broke' },
});

describe('defineErrors', () => {
  it('builds coded errors with message, hint and cause', () => {
    const cause = new Error('low level');
    const err = demo.NO_THING('x', { cause, details: { path: 'a.b' } });
    expect(err).toBeInstanceOf(RrError);
    expect(err).toMatchObject({ code: 'RR_ERR_DEMO_NO_THING', message: 'no thing named x', hint: 'declare it first' });
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ path: 'a.b' });
    expect(demo.NO_THING.code).toBe('RR_ERR_DEMO_NO_THING');
  });

  it('renders the wire form and JSON with a nested cause', () => {
    const err = demo.BROKEN({ cause: demo.NO_THING('y') });
    expect(err.toWire()).toBe('RR_ERR_DEMO_BROKEN: it broke');
    expect(err.toJSON()).toEqual({
      code: 'RR_ERR_DEMO_BROKEN',
      message: 'it broke',
      cause: { code: 'RR_ERR_DEMO_NO_THING', message: 'no thing named y', hint: 'declare it first' },
    });
  });

  it('narrows by code', () => {
    const err: unknown = demo.BROKEN();
    expect(isRrError(err)).toBe(true);
    expect(isRrError(err, 'RR_ERR_DEMO_BROKEN')).toBe(true);
    expect(isRrError(err, 'RR_ERR_DEMO_NO_THING')).toBe(false);
    expect(isRrError(new Error('plain'))).toBe(false);
  });

  it('refuses a code declared by two areas', () => {
    expect(declaredErrorCodes()).toContain('RR_ERR_DEMO_BROKEN');
    // RR_ERR_DEMO_NO_THING again, spelt as area DEMO_NO + key THING.
    expect(() => defineErrors('DEMO_NO', { THING: { message: () => 'x' } })).toThrowError(
      expect.objectContaining({ code: 'RR_ERR_INTERNAL' }),
    );
  });
});

describe('declaredErrors', () => {
  it('renders message templates with numbered placeholders', async () => {
    const { declaredErrors } = await import('../src/index.js');
    expect(declaredErrors().find((e) => e.code === 'RR_ERR_DEMO_NO_THING')).toEqual({
      code: 'RR_ERR_DEMO_NO_THING',
      area: 'DEMO',
      template: 'no thing named <1>',
      hint: 'declare it first',
    });
  });
});
