import { describe, expect, it, vi } from 'vitest';
import { RrError, isRrError } from '../src/rr-error.js';

describe('RrError across copies of @rr/errors', () => {
  it('recognises an error made by another copy of the class (a plugin with its own @rr/errors)', async () => {
    // A second, independent copy of the module, as a separately installed plugin would load it.
    vi.resetModules();
    const other = await import('../src/rr-error.js');
    expect(other.RrError).not.toBe(RrError);
    const foreign = new other.RrError('RR_ERR_X_Y', 'from the other copy');
    expect(foreign instanceof RrError).toBe(true);
    expect(isRrError(foreign, 'RR_ERR_X_Y')).toBe(true);
    expect(isRrError(foreign, 'RR_ERR_X_Z')).toBe(false);
    expect(isRrError(new Error('plain'))).toBe(false);
    expect(isRrError(null)).toBe(false);
    expect(new RrError('RR_ERR_A_B', 'wrapped', { cause: foreign }).toJSON()).toMatchObject({ cause: { code: 'RR_ERR_X_Y' } });
  });
});
