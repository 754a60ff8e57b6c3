import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configErrors, configWarnings } from '../src/index.js';

const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
const documented = new Set([...readme.matchAll(/^\| `((?:RR_ERR|RR_WARN)_CONFIG_[A-Z0-9_]+)`/gm)].map((m) => m[1]));

describe('error catalogue', () => {
  const codes = Object.values(configErrors).map((f) => f.code);
  const warnings = Object.values(configWarnings);

  it('names every code RR_ERR_CONFIG_<KEY>', () => {
    for (const [key, factory] of Object.entries(configErrors)) expect(factory.code).toBe(`RR_ERR_CONFIG_${key}`);
  });

  it('documents every error and warning code in the README tables, and nothing more', () => {
    expect([...codes, ...warnings].filter((c) => !documented.has(c))).toEqual([]);
    expect([...documented].filter((c) => !codes.includes(c as never) && !warnings.includes(c as never))).toEqual([]);
  });

  it('builds thrown errors with a hint', () => {
    const err = configErrors.NOT_FOUND('/x/.rr.yaml');
    expect(err).toMatchObject({ code: 'RR_ERR_CONFIG_NOT_FOUND', message: 'config file not found: /x/.rr.yaml', hint: expect.stringContaining('-c') });
  });
});
