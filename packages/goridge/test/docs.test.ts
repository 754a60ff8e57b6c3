import { readFileSync } from 'node:fs';
import { goridgeErrors } from '@rr/goridge';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const documented = [...readme.matchAll(/^\| `(RR_ERR_GORIDGE_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);

describe('README error table', () => {
  it('lists every code of the catalogue, once, and nothing else', () => {
    const declared = Object.values(goridgeErrors).map((factory) => factory.code);
    expect([...documented].sort()).toEqual([...declared].sort());
  });

  it('has the fixed sections', () => {
    for (const section of ['Purpose', 'API', 'Errors']) expect(readme).toMatch(new RegExp(`^## ${section}$`, 'm'));
  });
});
